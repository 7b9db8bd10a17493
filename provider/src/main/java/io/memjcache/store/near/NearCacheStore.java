package io.memjcache.store.near;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.memjcache.store.Store;
import io.memjcache.store.StoreEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A near cache: a bounded local table (Caffeine) of what memcached returned, in front of a remote
 * {@link Store}. It keeps the stored bytes, so every hit still yields a fresh copy of the value.
 *
 * <p><b>Staleness bound.</b> memcached cannot announce other JVMs' writes, so a local copy is
 * served for at most {@code staleness}, counted from the moment the read that fetched it was
 * sent: an entry read from here is never older than the bound relative to what memcached held.
 * Writes through this store (set, add, CAS, delete) drop the local copy before and after they
 * reach memcached, and a read racing with a write never re-installs the old copy (per-key-stripe
 * write epochs), so this JVM always reads its own writes. {@link #getLatest} always asks memcached,
 * so read-modify-write operations decide on current data. Absent keys are not cached.
 */
public final class NearCacheStore implements Store {

  private static final int STRIPES = 1024;

  private final Store remote;
  private final long stalenessNanos;
  private final Cache<String, Held> local;
  private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);
  private final NearCacheStatistics statistics;

  /** A local copy and the instant (System.nanoTime) after which it must not be served. */
  private record Held(StoreEntry entry, long deadline) {}

  public NearCacheStore(Store remote, int maxEntries, Duration staleness) {
    this.remote = remote;
    this.stalenessNanos = staleness.toNanos();
    this.local =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .expireAfter(new Expiry<String, Held>() {
              @Override
              public long expireAfterCreate(String key, Held held, long currentTime) {
                return held.deadline() - currentTime;
              }

              @Override
              public long expireAfterUpdate(String key, Held held, long currentTime, long currentDuration) {
                return held.deadline() - currentTime;
              }

              @Override
              public long expireAfterRead(String key, Held held, long currentTime, long currentDuration) {
                return currentDuration;
              }
            })
            .build();
    this.statistics = new NearCacheStatistics(local::estimatedSize);
  }

  public NearCacheStatistics statistics() {
    return statistics;
  }

  @Override
  public StoreEntry get(String key) {
    Held held = local.getIfPresent(key);
    // Caffeine expires lazily within its own clock; check the deadline ourselves too.
    if (held != null && held.deadline() - System.nanoTime() > 0) {
      statistics.hit();
      return held.entry();
    }
    statistics.misses(1);
    return fetch(key);
  }

  @Override
  public StoreEntry getLatest(String key) {
    return fetch(key);
  }

  @Override
  public Map<String, StoreEntry> getAll(Collection<String> keys) {
    Map<String, StoreEntry> result = new HashMap<>();
    List<String> missing = new ArrayList<>();
    long now = System.nanoTime();
    for (String key : keys) {
      Held held = local.getIfPresent(key);
      if (held != null && held.deadline() - now > 0) {
        statistics.hit();
        result.put(key, held.entry());
      } else {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      statistics.misses(missing.size());
      long[] epochsBefore = new long[missing.size()];
      for (int i = 0; i < epochsBefore.length; i++) {
        epochsBefore[i] = epochs.get(stripe(missing.get(i)));
      }
      long sentAt = System.nanoTime();
      Map<String, StoreEntry> fetched = remote.getAll(missing);
      for (int i = 0; i < epochsBefore.length; i++) {
        String key = missing.get(i);
        StoreEntry entry = fetched.get(key);
        if (entry != null) {
          remember(key, entry, epochsBefore[i], sentAt);
          result.put(key, entry);
        }
      }
    }
    return result;
  }

  private StoreEntry fetch(String key) {
    long epoch = epochs.get(stripe(key));
    long sentAt = System.nanoTime();
    StoreEntry entry = remote.get(key);
    if (entry != null) {
      remember(key, entry, epoch, sentAt);
    }
    return entry;
  }

  /** Keeps a copy unless a local write to the key's stripe happened since the read was sent. */
  private void remember(String key, StoreEntry entry, long epoch, long sentAt) {
    long deadline = sentAt + stalenessNanos;
    if (deadline - System.nanoTime() <= 0) {
      return;
    }
    int stripe = stripe(key);
    if (epochs.get(stripe) != epoch) {
      return;
    }
    Held held = new Held(entry, deadline);
    local.put(key, held);
    if (epochs.get(stripe) != epoch) {
      // A write started meanwhile: its invalidation may have run before our put.
      local.asMap().remove(key, held);
    }
  }

  /** Runs a write with the local copy dropped before and after, and the stripe's epoch moved. */
  private <T> T writing(String key, java.util.function.Supplier<T> write) {
    int stripe = stripe(key);
    epochs.incrementAndGet(stripe);
    local.invalidate(key);
    try {
      return write.get();
    } finally {
      epochs.incrementAndGet(stripe);
      local.invalidate(key);
    }
  }

  @Override
  public void set(String key, int flags, byte[] data, long expiresAt) {
    writing(key, () -> {
      remote.set(key, flags, data, expiresAt);
      return null;
    });
  }

  @Override
  public boolean add(String key, int flags, byte[] data, long expiresAt) {
    return writing(key, () -> remote.add(key, flags, data, expiresAt));
  }

  @Override
  public boolean compareAndSet(String key, long cas, int flags, byte[] data, long expiresAt) {
    return writing(key, () -> remote.compareAndSet(key, cas, flags, data, expiresAt));
  }

  @Override
  public boolean delete(String key) {
    return writing(key, () -> remote.delete(key));
  }

  @Override
  public boolean delete(String key, long cas) {
    return writing(key, () -> remote.delete(key, cas));
  }

  @Override
  public List<String> keysWithPrefix(String prefix) {
    return remote.keysWithPrefix(prefix);
  }

  @Override
  public void evictLocalCopies() {
    for (int i = 0; i < STRIPES; i++) {
      epochs.incrementAndGet(i);
    }
    local.invalidateAll();
  }

  @Override
  public String nodeFor(String key) {
    return remote.nodeFor(key);
  }

  /** Drops the local table; the remote store belongs to the CacheManager and stays open. */
  @Override
  public void close() {
    evictLocalCopies();
  }

  private static int stripe(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
