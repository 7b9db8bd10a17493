package io.memjcache.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * This JVM's counters for one cache, as JSR-107 defines them. Counting is per JVM: other JVMs
 * sharing the cache keep their own.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder getTimeNanos = new LongAdder();
  private final LongAdder putTimeNanos = new LongAdder();
  private final LongAdder removeTimeNanos = new LongAdder();
  private volatile boolean enabled;

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** A start time for the timing methods; 0 (no clock read) while statistics are off. */
  public long startTimer() {
    return enabled ? System.nanoTime() : 0;
  }

  public void hits(int count) {
    if (enabled && count > 0) {
      hits.add(count);
    }
  }

  public void misses(int count) {
    if (enabled && count > 0) {
      misses.add(count);
    }
  }

  public void puts(int count) {
    if (enabled && count > 0) {
      puts.add(count);
    }
  }

  public void removals(int count) {
    if (enabled && count > 0) {
      removals.add(count);
    }
  }

  public void getTime(long startNanos) {
    if (enabled && startNanos != 0) {
      getTimeNanos.add(System.nanoTime() - startNanos);
    }
  }

  public void putTime(long startNanos) {
    if (enabled && startNanos != 0) {
      putTimeNanos.add(System.nanoTime() - startNanos);
    }
  }

  public void removeTime(long startNanos) {
    if (enabled && startNanos != 0) {
      removeTimeNanos.add(System.nanoTime() - startNanos);
    }
  }

  @Override
  public void clear() {
    hits.reset();
    misses.reset();
    puts.reset();
    removals.reset();
    evictions.reset();
    getTimeNanos.reset();
    putTimeNanos.reset();
    removeTimeNanos.reset();
  }

  @Override
  public long getCacheHits() {
    return hits.sum();
  }

  @Override
  public float getCacheHitPercentage() {
    long h = getCacheHits();
    long total = h + getCacheMisses();
    return total == 0 ? 0f : (float) h / total * 100f;
  }

  @Override
  public long getCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getCacheMissPercentage() {
    long m = getCacheMisses();
    long total = m + getCacheHits();
    return total == 0 ? 0f : (float) m / total * 100f;
  }

  @Override
  public long getCacheGets() {
    return getCacheHits() + getCacheMisses();
  }

  @Override
  public long getCachePuts() {
    return puts.sum();
  }

  @Override
  public long getCacheRemovals() {
    return removals.sum();
  }

  @Override
  public long getCacheEvictions() {
    return evictions.sum();
  }

  @Override
  public float getAverageGetTime() {
    return average(getTimeNanos.sum(), getCacheGets());
  }

  @Override
  public float getAveragePutTime() {
    return average(putTimeNanos.sum(), getCachePuts());
  }

  @Override
  public float getAverageRemoveTime() {
    return average(removeTimeNanos.sum(), getCacheRemovals());
  }

  /** Microseconds, as the MXBean specifies. */
  private static float average(long totalNanos, long count) {
    return count == 0 ? 0f : (float) TimeUnit.NANOSECONDS.toMicros(totalNanos) / count;
  }
}
