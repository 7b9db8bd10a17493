package io.memjcache.near;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One cache's near cache: a bounded local table (Caffeine) of entries read from memcached, keyed
 * by the cache's own keys, so a hit costs one hash lookup and no key encoding.
 *
 * <p><b>Staleness bound.</b> memcached cannot announce other JVMs' writes, so a copy is served for
 * at most {@code staleness}, counted from the moment the read that fetched it was sent, and never
 * past the instant its JCache expiry passes: each copy has a deadline, the earlier of the two,
 * checked on every read with one clock read.
 *
 * <p><b>Read-your-writes.</b> The caller brackets each write of a key with {@link #beforeWrite}
 * and {@link #afterWrite}: both move the key's stripe epoch, then drop the local copy, and
 * {@link #remember} refuses, atomically with its insertion, a copy whose read started before a
 * write of its stripe, so a read racing with a write never re-installs the old value: no read that
 * starts after a write of this JVM returned sees what it overwrote.
 *
 * @param <E> what is kept per key (the decoded entry)
 */
public final class NearCache<E> {

  private static final int STRIPES = 1024;
  /** JCache expiry is in wall-clock milliseconds: drop a copy this much before it, never after. */
  private static final long EXPIRY_MARGIN_MILLIS = 1;

  private final long stalenessNanos;
  private final Cache<Object, Held<E>> table;
  private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);
  private final NearCacheStatistics statistics;

  /** A local copy and the System.nanoTime instant after which it must not be served. */
  private record Held<E>(E entry, long deadline) {}

  public NearCache(int maxEntries, Duration staleness) {
    this.stalenessNanos = staleness.toNanos();
    // No expiry in Caffeine itself: its per-entry expiry costs a hit more than the deadline check
    // below, and a copy past its deadline is dropped when found (or evicted by size).
    this.table = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .build();
    this.statistics = new NearCacheStatistics(table::estimatedSize);
  }

  public NearCacheStatistics statistics() {
    return statistics;
  }

  /** The local copy of {@code key}, counted as a hit; null (not counted) when there is none. */
  public E get(Object key) {
    Held<E> held = table.getIfPresent(key);
    if (held == null) {
      return null;
    }
    if (held.deadline() - System.nanoTime() <= 0) {
      table.asMap().remove(key, held);
      return null;
    }
    statistics.hit();
    return held.entry();
  }

  /** Counts reads that had to go to memcached. */
  public void misses(int count) {
    statistics.misses(count);
  }

  /** Call before sending a read whose result may be remembered; pass the result to remember. */
  public long epoch(Object key) {
    return epochs.get(stripe(key));
  }

  /**
   * Keeps {@code entry}, read by a request sent at {@code sentAt} (System.nanoTime) when the key's
   * stripe was at {@code epoch}, unless a local write of the stripe happened since, or its
   * staleness or expiry ({@code expiresAtMillis}, epoch milliseconds; Long.MAX_VALUE for never) has
   * already passed.
   */
  public void remember(Object key, E entry, long epoch, long sentAt, long expiresAtMillis) {
    long now = System.nanoTime();
    long deadline = sentAt + stalenessNanos;
    if (expiresAtMillis != Long.MAX_VALUE) {
      long remainingMillis = expiresAtMillis - System.currentTimeMillis() - EXPIRY_MARGIN_MILLIS;
      if (remainingMillis < stalenessNanos / 1_000_000) {
        deadline = Math.min(deadline, now + remainingMillis * 1_000_000);
      }
    }
    if (deadline - now <= 0) {
      return;
    }
    int stripe = stripe(key);
    Held<E> held = new Held<>(entry, deadline);
    // The epoch check and the insertion are one step under the key's lock, which a write's
    // invalidation also takes after moving the epoch: either this runs first and the
    // invalidation removes the copy before the write returns, or it runs after and sees the new
    // epoch. (Checking, putting, re-checking and removing left the old copy visible between the
    // put and the removal, to reads that started after the write had returned.)
    table.asMap().compute(key, (k, present) -> epochs.get(stripe) == epoch ? held : present);
  }

  /** Before a write of {@code key} is sent: the local copy goes, and reads in flight may not keep theirs. */
  public void beforeWrite(Object key) {
    epochs.incrementAndGet(stripe(key));
    table.asMap().remove(key);
  }

  /** After a write of {@code key} completed or failed: the same again, for reads that raced with it. */
  public void afterWrite(Object key) {
    beforeWrite(key);
  }

  /** Drops every local copy (clear, removeAll, close), also against reads in flight. */
  public void invalidateAll() {
    for (int i = 0; i < STRIPES; i++) {
      epochs.incrementAndGet(i);
    }
    table.invalidateAll();
  }

  private static int stripe(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
