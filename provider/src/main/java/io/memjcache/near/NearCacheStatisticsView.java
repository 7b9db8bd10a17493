package io.memjcache.near;

import java.lang.ref.WeakReference;

/**
 * The MXBean registered for a near cache's statistics: it reads them through a weak reference, so
 * the platform MBeanServer never keeps a near cache (and the application values it holds) alive.
 * Once the cache is gone it reads zeros until it is unregistered.
 */
public final class NearCacheStatisticsView implements NearCacheStatisticsMXBean {

  private final WeakReference<NearCacheStatistics> statistics;

  public NearCacheStatisticsView(NearCacheStatistics statistics) {
    this.statistics = new WeakReference<>(statistics);
  }

  @Override
  public long getNearCacheHits() {
    NearCacheStatistics s = statistics.get();
    return s == null ? 0 : s.getNearCacheHits();
  }

  @Override
  public long getNearCacheMisses() {
    NearCacheStatistics s = statistics.get();
    return s == null ? 0 : s.getNearCacheMisses();
  }

  @Override
  public float getNearCacheHitPercentage() {
    NearCacheStatistics s = statistics.get();
    return s == null ? 0f : s.getNearCacheHitPercentage();
  }

  @Override
  public long getNearCacheSize() {
    NearCacheStatistics s = statistics.get();
    return s == null ? 0 : s.getNearCacheSize();
  }

  @Override
  public void clear() {
    NearCacheStatistics s = statistics.get();
    if (s != null) {
      s.clear();
    }
  }
}
