package io.memjcache.config;

import java.time.Duration;
import java.util.List;

/**
 * MemJCache's settings of one cache, from the configuration file, CacheManager properties or
 * system properties ({@code memjcache.cache.<name>.<setting>}, else {@code
 * memjcache.cache.default.<setting>}).
 *
 * @param nearCacheMaxEntries entries of the local near cache; 0 turns it off
 * @param nearCacheStaleness the longest a near-cached entry is served without asking memcached
 * @param deserializationAllowlist extra allowed classes for this cache
 * @param expiry the expiry policy of a cache declared in the configuration file (null: JCache's default)
 * @param statisticsEnabled for a declared cache
 * @param managementEnabled for a declared cache
 * @param valueSerializer class name of the cache's {@link io.memjcache.spi.ValueSerializer}, or null
 *     for the default encodings
 * @param loads how read-through misses load (single flight, lease)
 */
public record CacheSettings(
    int nearCacheMaxEntries,
    Duration nearCacheStaleness,
    List<String> deserializationAllowlist,
    ExpirySpec expiry,
    boolean statisticsEnabled,
    boolean managementEnabled,
    String valueSerializer,
    LoadSettings loads) {

  public CacheSettings {
    if (nearCacheMaxEntries < 0) {
      throw new IllegalArgumentException("nearCache.maxEntries must be >= 0: " + nearCacheMaxEntries);
    }
    if (nearCacheStaleness.isNegative() || nearCacheStaleness.isZero()) {
      throw new IllegalArgumentException("nearCache.staleness must be positive: " + nearCacheStaleness);
    }
    deserializationAllowlist = List.copyOf(deserializationAllowlist);
  }

  public boolean nearCacheEnabled() {
    return nearCacheMaxEntries > 0;
  }
}
