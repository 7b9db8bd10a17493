package io.memjcache.near;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The counters behind {@link NearCacheStatisticsMXBean}. */
public final class NearCacheStatistics implements NearCacheStatisticsMXBean {

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongSupplier size;

  NearCacheStatistics(LongSupplier size) {
    this.size = size;
  }

  void hit() {
    hits.increment();
  }

  void misses(int count) {
    misses.add(count);
  }

  @Override
  public long getNearCacheHits() {
    return hits.sum();
  }

  @Override
  public long getNearCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getNearCacheHitPercentage() {
    long h = hits.sum();
    long total = h + misses.sum();
    return total == 0 ? 0f : 100f * h / total;
  }

  @Override
  public long getNearCacheSize() {
    return size.getAsLong();
  }

  @Override
  public void clear() {
    hits.reset();
    misses.reset();
  }
}
