package io.memjcache.cache;

import io.memjcache.stats.CacheStatistics;
import io.memjcache.store.StoreEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import javax.cache.Cache;

/**
 * Iterates a cache over a snapshot of its memcached keys, fetching values a batch at a time and
 * skipping entries that expired or vanished since the snapshot, and entries it cannot read (a
 * key or value of a refused class, garbage: one warning per iteration). Weakly consistent, as
 * JCache allows for a distributed cache.
 */
public final class EntryIterator<K, V> implements Iterator<Cache.Entry<K, V>> {

  static final int BATCH_SIZE = 100;

  private final EntryAccess<V> access;
  private final EntryCodec codec;
  private final CacheStatistics statistics;
  private final Consumer<K> remove;
  private final List<String> keys;
  private final UnreadableEntries unreadable;
  private final Deque<IteratedEntry<K, V>> buffered = new ArrayDeque<>();
  private int nextBatch;
  private Cache.Entry<K, V> last;

  /** An entry the iterator holds, with the version it read. */
  private record IteratedEntry<K, V>(String memcachedKey, RemoteEntry remote, MemcachedCacheEntry<K, V> entry) {}

  /**
   * Iterates over {@code keys} (a snapshot of the cache's memcached keys); {@code remove} is the
   * cache's own remove, for {@link #remove()}.
   */
  public EntryIterator(EntryAccess<V> access, EntryCodec codec, CacheStatistics statistics, Consumer<K> remove,
      List<String> keys, UnreadableEntries unreadable) {
    this.access = access;
    this.codec = codec;
    this.statistics = statistics;
    this.remove = remove;
    this.keys = keys;
    this.unreadable = unreadable;
  }

  @Override
  public boolean hasNext() {
    while (buffered.isEmpty() && nextBatch < keys.size()) {
      int end = Math.min(keys.size(), nextBatch + BATCH_SIZE);
      buffered.addAll(readBatch(keys.subList(nextBatch, end)));
      nextBatch = end;
    }
    return !buffered.isEmpty();
  }

  @Override
  public Cache.Entry<K, V> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    IteratedEntry<K, V> next = buffered.removeFirst();
    accessed(next);
    last = next.entry();
    return last;
  }

  @Override
  public void remove() {
    if (last == null) {
      throw new IllegalStateException("next() has not been called, or remove() was already called");
    }
    remove.accept(last.getKey());
    last = null;
  }

  /**
   * One batch: the live entries among {@code memcachedKeys}. Entries it cannot read (garbage, a
   * key or value of a refused class) go to the iteration's unreadable tally and are skipped.
   */
  @SuppressWarnings("unchecked")
  private List<IteratedEntry<K, V>> readBatch(List<String> memcachedKeys) {
    Map<String, StoreEntry> found = access.readAll(memcachedKeys);
    List<IteratedEntry<K, V>> entries = new ArrayList<>(found.size());
    long now = access.now();
    for (String memcachedKey : memcachedKeys) {
      RemoteEntry entry = codec.decode(memcachedKey, found.get(memcachedKey), unreadable);
      if (!entry.isLive(now)) {
        continue;
      }
      K key = (K) codec.keyOf(memcachedKey, entry, unreadable);
      V value = key == null ? null : (V) codec.valueOrNull(entry, memcachedKey, unreadable);
      if (value != null) {
        entries.add(new IteratedEntry<>(memcachedKey, entry, new MemcachedCacheEntry<>(key, value)));
      }
    }
    return entries;
  }

  /** Handing out an entry is an access, for statistics and expiry. */
  private void accessed(IteratedEntry<K, V> iterated) {
    statistics.hits(1);
    if (!access.expiry().isAccessFree()) {
      // Encoding the key (for the near cache's bookkeeping) only when an access may rewrite the entry.
      access.touch(codec.encodeKey(iterated.entry().getKey()), iterated.remote(), access.now());
    }
  }
}
