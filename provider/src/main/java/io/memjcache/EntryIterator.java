package io.memjcache;

import io.memjcache.MemcachedCache.IteratedEntry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import javax.cache.Cache;

/**
 * Iterates a cache over a snapshot of its memcached keys, fetching values a batch at a time and
 * skipping entries that expired or vanished since the snapshot, and entries it cannot read (a
 * key or value of a refused class, garbage: one warning per iteration). Weakly consistent, as
 * JCache allows for a distributed cache.
 */
final class EntryIterator<K, V> implements Iterator<Cache.Entry<K, V>> {

  static final int BATCH_SIZE = 100;

  private final MemcachedCache<K, V> cache;
  private final List<String> keys;
  private final UnreadableEntries unreadable;
  private final Deque<IteratedEntry<K, V>> buffered = new ArrayDeque<>();
  private int nextBatch;
  private Cache.Entry<K, V> last;

  EntryIterator(MemcachedCache<K, V> cache, List<String> keys, UnreadableEntries unreadable) {
    this.cache = cache;
    this.keys = keys;
    this.unreadable = unreadable;
  }

  @Override
  public boolean hasNext() {
    while (buffered.isEmpty() && nextBatch < keys.size()) {
      int end = Math.min(keys.size(), nextBatch + BATCH_SIZE);
      buffered.addAll(cache.readBatch(keys.subList(nextBatch, end), unreadable));
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
    cache.accessedByIterator(next);
    last = next.entry();
    return last;
  }

  @Override
  public void remove() {
    if (last == null) {
      throw new IllegalStateException("next() has not been called, or remove() was already called");
    }
    cache.remove(last.getKey());
    last = null;
  }
}
