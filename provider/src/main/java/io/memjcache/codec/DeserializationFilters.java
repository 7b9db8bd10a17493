package io.memjcache.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Builds the {@link ObjectInputFilter} that guards Java deserialization of values read from
 * memcached, which are untrusted input: anyone who can reach the memcached port can write them.
 *
 * <p>Allowed: the JDK's value types (boxed primitives, strings, collections, {@code java.time},
 * {@code java.math}), primitive arrays, the framework types in {@link #FRAMEWORK_TYPES}, the
 * cache's declared key and value types, and the configured patterns (JDK filter syntax: {@code com.acme.Order}, {@code com.acme.*} for a
 * package, {@code com.acme.**} with sub-packages). Everything else is rejected.
 */
public final class DeserializationFilters {

  /** JDK types that hold data and carry no behaviour an attacker can chain. */
  static final List<String> JDK_VALUE_TYPES =
      List.of(
          "java.lang.String", "java.lang.Number", "java.lang.Integer", "java.lang.Long",
          "java.lang.Short", "java.lang.Byte", "java.lang.Double", "java.lang.Float",
          "java.lang.Boolean", "java.lang.Character", "java.lang.Enum", "java.lang.Record",
          "java.lang.Object", "java.io.Serializable",
          "java.util.*", "java.util.concurrent.*", "java.time.*", "java.time.chrono.*",
          "java.math.*", "java.net.URI", "java.net.URL", "java.util.UUID");

  /**
   * Data holders that the frameworks caching through JCache store themselves, so they work without
   * configuration: Spring's key of a multi-argument method and its cached-null marker, Hibernate's
   * cache keys and entries. Exact classes only (none of Hibernate's type or property classes that
   * known gadget chains use); what they hold — entity state, key parts — is still checked class
   * by class, so an application allows its own enums and embeddables.
   */
  static final List<String> FRAMEWORK_TYPES =
      List.of(
          "org.springframework.cache.interceptor.SimpleKey",
          "org.springframework.cache.support.NullValue",
          // Hibernate's second-level cache: keys, entries, read-write locks, query-cache items.
          "org.hibernate.cache.internal.BasicCacheKeyImplementation",
          "org.hibernate.cache.internal.CacheKeyImplementation",
          "org.hibernate.cache.internal.NaturalIdCacheKey",
          "org.hibernate.cache.spi.entry.StandardCacheEntryImpl",
          "org.hibernate.cache.spi.entry.CollectionCacheEntry",
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl",
          "org.hibernate.cache.spi.QueryKey",
          "org.hibernate.query.internal.QueryParameterBindingsImpl$ParameterBindingsMementoImpl",
          "org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem");

  /** Structure limits against resource-exhaustion payloads. */
  private static final String LIMITS = "maxdepth=100;maxrefs=1000000;maxarray=100000000";

  private DeserializationFilters() {}

  /**
   * The filter for one cache.
   *
   * @param declaredTypes the cache's configured key and value types ({@code Object} adds nothing)
   * @param patterns extra allowed patterns from configuration
   */
  public static ObjectInputFilter allowlist(
      Collection<Class<?>> declaredTypes, Collection<String> patterns) {
    List<String> allowed = new ArrayList<>(JDK_VALUE_TYPES);
    allowed.addAll(FRAMEWORK_TYPES);
    for (Class<?> type : declaredTypes) {
      if (type != null && type != Object.class && !type.isPrimitive()) {
        allowed.add(type.getName());
      }
    }
    allowed.addAll(patterns);
    String spec = LIMITS + ";" + String.join(";", allowed) + ";!*";
    return ObjectInputFilter.Config.createFilter(spec);
  }
}
