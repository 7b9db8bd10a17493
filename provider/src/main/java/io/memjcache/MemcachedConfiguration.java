package io.memjcache;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;

/**
 * A JCache configuration with MemJCache's per-cache settings. Any {@link Configuration} works with
 * MemJCache; use this one to set what only MemJCache understands:
 *
 * <pre>{@code
 * cacheManager.createCache("orders", new MemcachedConfiguration<Long, Order>()
 *     .setTypes(Long.class, Order.class)
 *     .allowDeserializationOf("com.acme.orders.**"));
 * }</pre>
 */
public class MemcachedConfiguration<K, V> extends MutableConfiguration<K, V> {

  private static final long serialVersionUID = 1L;

  private final List<String> deserializationAllowlist = new ArrayList<>();

  public MemcachedConfiguration() {}

  /** A copy of any configuration, keeping MemJCache settings when it has them. */
  public MemcachedConfiguration(Configuration<K, V> configuration) {
    super(complete(configuration));
    if (configuration instanceof MemcachedConfiguration<K, V> memcached) {
      deserializationAllowlist.addAll(memcached.deserializationAllowlist);
    }
  }

  private static <K, V> CompleteConfiguration<K, V> complete(Configuration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    if (configuration instanceof CompleteConfiguration<K, V> complete) {
      return complete;
    }
    MutableConfiguration<K, V> basic = new MutableConfiguration<>();
    basic.setTypes(configuration.getKeyType(), configuration.getValueType());
    basic.setStoreByValue(configuration.isStoreByValue());
    return basic;
  }

  /**
   * Allows classes matching {@code patterns} ({@link java.io.ObjectInputFilter} syntax: {@code
   * com.acme.Order}, {@code com.acme.*}, {@code com.acme.**}) to be Java-deserialized from this
   * cache's entries, in addition to the JDK value types, the declared key and value types and the
   * CacheManager-wide {@code memjcache.deserialization.allowlist}.
   */
  public MemcachedConfiguration<K, V> allowDeserializationOf(String... patterns) {
    for (String pattern : patterns) {
      deserializationAllowlist.add(Objects.requireNonNull(pattern, "pattern"));
    }
    return this;
  }

  public List<String> getDeserializationAllowlist() {
    return List.copyOf(deserializationAllowlist);
  }

  @Override
  public MemcachedConfiguration<K, V> setTypes(Class<K> keyType, Class<V> valueType) {
    super.setTypes(keyType, valueType);
    return this;
  }

  @Override
  public boolean equals(Object other) {
    return super.equals(other)
        && (!(other instanceof MemcachedConfiguration<?, ?> that)
            || deserializationAllowlist.equals(that.deserializationAllowlist));
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + deserializationAllowlist.hashCode();
  }
}
