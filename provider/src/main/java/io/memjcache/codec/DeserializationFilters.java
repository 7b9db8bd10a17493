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
 * cache's declared key and value types (the element type of a declared array type), and the
 * configured patterns (JDK filter syntax: {@code com.acme.Order}, {@code com.acme.*} for a package,
 * {@code com.acme.**} with sub-packages, {@code !com.acme.Secret} to refuse). Configured patterns
 * are checked first, so {@code !java.util.HashSet} refuses a type that is allowed by default.
 * Everything else is rejected.
 *
 * <p>Graph limits: at most {@link #DEFAULT_MAX_DEPTH} nested objects and {@link #DEFAULT_MAX_REFS}
 * object reads (back-references included); a configured {@code maxdepth=} or {@code maxrefs=}
 * pattern replaces them. Array lengths, the work of hashing what is read and the CPU time of a
 * read are bounded per entry by {@link Serializer}.
 */
public final class DeserializationFilters {

  /** JDK types that hold data and carry no behaviour an attacker can chain. */
  static final List<String> JDK_VALUE_TYPES =
      List.of(
          "java.lang.String", "java.lang.Number", "java.lang.Integer", "java.lang.Long",
          "java.lang.Short", "java.lang.Byte", "java.lang.Double", "java.lang.Float",
          "java.lang.Boolean", "java.lang.Character", "java.lang.Enum", "java.lang.Record",
          "java.lang.Object", "java.io.Serializable",
          // Not java.net.URL: its hashCode resolves the host name (the URLDNS gadget).
          "java.util.*", "java.util.concurrent.*", "java.time.*", "java.time.chrono.*",
          "java.math.*", "java.net.URI", "java.util.UUID");

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

  /**
   * Nesting depth: stops exponential structures (nested-set hash bombs) early. Spring's and
   * Hibernate's cache entries nest fewer than 10 levels; the JDK's RMI registry uses the same limit.
   */
  public static final long DEFAULT_MAX_DEPTH = 20;

  /** Object reads, back-references included (an entry of 1 MiB holds fewer). */
  public static final long DEFAULT_MAX_REFS = 1_000_000;

  private DeserializationFilters() {}

  /**
   * The filter for one cache.
   *
   * @param declaredTypes the cache's configured key and value types ({@code Object} adds nothing)
   * @param patterns extra patterns from configuration: allowed or refused ({@code !}) classes, limits
   */
  public static Allowlist allowlist(Collection<Class<?>> declaredTypes, Collection<String> patterns) {
    long maxDepth = DEFAULT_MAX_DEPTH;
    long maxRefs = DEFAULT_MAX_REFS;
    List<String> spec = new ArrayList<>();
    for (String pattern : patterns) {
      String trimmed = pattern.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.startsWith("maxdepth=")) {
        maxDepth = limit(trimmed);
      } else if (trimmed.startsWith("maxrefs=")) {
        maxRefs = limit(trimmed);
      }
      spec.add(trimmed); // first: a configured pattern decides before the built-in ones
    }
    for (Class<?> type : declaredTypes) {
      Class<?> element = type;
      while (element != null && element.isArray()) {
        element = element.getComponentType(); // the filter checks an array by its element type
      }
      if (element != null && element != Object.class && !element.isPrimitive()) {
        spec.add(element.getName());
      }
    }
    spec.addAll(JDK_VALUE_TYPES);
    spec.addAll(FRAMEWORK_TYPES);
    String classes = String.join(";", spec) + ";!*";
    ObjectInputFilter filter = ObjectInputFilter.Config.createFilter(
        "maxdepth=" + maxDepth + ";maxrefs=" + maxRefs + ";" + classes);
    return new Allowlist(filter, maxDepth, maxRefs);
  }

  private static long limit(String pattern) {
    try {
      long value = Long.parseLong(pattern.substring(pattern.indexOf('=') + 1).trim());
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("bad deserialization limit '" + pattern + "': expected a positive number");
  }

  /** A cache's filter, with the limits it applies (for messages that name them). */
  public static final class Allowlist implements ObjectInputFilter {
    private final ObjectInputFilter filter;
    private final long maxDepth;
    private final long maxRefs;

    Allowlist(ObjectInputFilter filter, long maxDepth, long maxRefs) {
      this.filter = filter;
      this.maxDepth = maxDepth;
      this.maxRefs = maxRefs;
    }

    @Override
    public Status checkInput(FilterInfo info) {
      return filter.checkInput(info);
    }

    /** Why {@link #checkInput} refused {@code info}, in words. */
    String refusal(FilterInfo info) {
      if (info.depth() > maxDepth) {
        return "a graph nested deeper than " + maxDepth + " levels (maxdepth=" + maxDepth + ")";
      }
      if (info.references() > maxRefs) {
        return "a graph of more than " + maxRefs + " object references (maxrefs=" + maxRefs + ")";
      }
      return describe(info);
    }
  }

  /** The class a refusal names: an array by its type name ({@code long[]}, not {@code [J}). */
  static String describe(ObjectInputFilter.FilterInfo info) {
    Class<?> type = info.serialClass();
    return type == null ? "a stream over the filter's limits" : type.getTypeName();
  }
}
