package io.memjcache.near;

/**
 * Hits and misses of one cache's near cache in this JVM, registered beside the JCache statistics
 * as {@code io.memjcache:type=NearCacheStatistics,CacheManager=<uri>,Cache=<name>}.
 */
public interface NearCacheStatisticsMXBean {

  /** Reads answered from the local table. */
  long getNearCacheHits();

  /** Reads that went to memcached. */
  long getNearCacheMisses();

  /** Hits as a percentage of reads. */
  float getNearCacheHitPercentage();

  /** Entries in the local table now. */
  long getNearCacheSize();

  void clear();
}
