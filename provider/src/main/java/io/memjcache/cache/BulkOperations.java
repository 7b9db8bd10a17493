package io.memjcache.cache;

import io.memjcache.cache.EntryAccess.WriteOutcome;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.event.EventDispatcher;
import io.memjcache.integration.Loader;
import io.memjcache.integration.Writer;
import io.memjcache.stats.CacheStatistics;
import io.memjcache.store.BatchMaps;
import io.memjcache.store.BatchOutcome;
import io.memjcache.store.StoreEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-key operations of a cache: {@code getAll}, {@code putAll}, {@code removeAll} and
 * {@code loadAll}. Reads and writes are batched per memcached node (see Store's batch methods),
 * with the same compare-and-swap rules as single-key operations, after the writer has seen the
 * whole batch.
 */
public final class BulkOperations<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(BulkOperations.class);

  private final CacheContext<K, V> context;
  private final EntryAccess<V> access;
  private final EntryCodec codec;
  private final CacheStatistics statistics;
  private final EventDispatcher<K, V> dispatcher;
  private final Loader<K, V> loader;
  private final Writer<K, V> writer;
  private final Executor loadExecutor;

  public BulkOperations(CacheContext<K, V> context, Executor loadExecutor) {
    this.context = context;
    this.access = context.access;
    this.codec = context.codec;
    this.statistics = context.statistics;
    this.dispatcher = context.dispatcher;
    this.loader = context.loader;
    this.writer = context.writer;
    this.loadExecutor = loadExecutor;
  }

  public Map<K, V> getAll(Set<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    long start = statistics.startTimer();
    List<K> keyList = new ArrayList<>(keys.size());
    List<EncodedKey> encoded = new ArrayList<>(keys.size());
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
      keyList.add(key);
    }
    for (K key : keyList) {
      encoded.add(codec.encodeKey(key));
    }
    RemoteEntry[] found = access.readAllToAnswer(encoded);
    PendingEvents<K, V> events = context.events();
    Map<K, V> result = new LinkedHashMap<>(Math.max(16, keyList.size() * 2));
    List<Integer> misses = new ArrayList<>();
    long now = access.now();
    for (int i = 0; i < found.length; i++) {
      K key = keyList.get(i);
      EncodedKey ek = encoded.get(i);
      RemoteEntry entry = found[i];
      V value = access.liveValue(ek.memcachedKey(), entry, now);
      if (value != null) {
        statistics.hits(1);
        access.touch(ek, entry, now);
        result.put(key, value);
      } else {
        statistics.misses(1);
        found[i] = context.reportIfExpired(key, ek, entry, now, events);
        misses.add(i);
      }
    }
    if (loader.isReadThrough() && !misses.isEmpty()) {
      List<K> missingKeys = new ArrayList<>(misses.size());
      List<EncodedKey> missingEncoded = new ArrayList<>(misses.size());
      List<RemoteEntry> missed = new ArrayList<>(misses.size());
      for (int i : misses) {
        missingKeys.add(keyList.get(i));
        missingEncoded.add(encoded.get(i));
        missed.add(found[i]);
      }
      context.loads.loadAll(missingKeys, missingEncoded, missed, result, events);
    }
    dispatcher.dispatch(events.list());
    statistics.getTime(start);
    return result;
  }

  public void putAll(Map<? extends K, ? extends V> map) {
    Objects.requireNonNull(map, "map");
    long start = statistics.startTimer();
    // Validate and serialize everything first: bad input must change nothing.
    Map<K, EncodedKey> keys = new LinkedHashMap<>(BatchMaps.capacityFor(map.size()));
    Map<K, byte[]> bytes = new HashMap<>(BatchMaps.capacityFor(map.size()));
    List<Cache.Entry<? extends K, ? extends V>> toWrite = new ArrayList<>(map.size());
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      context.requireKeyValue(e.getKey(), e.getValue());
      keys.put(e.getKey(), codec.encodeKey(e.getKey()));
      bytes.put(e.getKey(), codec.serializeValue(e.getValue()));
      toWrite.add(new MemcachedCacheEntry<>(e.getKey(), e.getValue()));
    }
    // A partial writer failure leaves the unwritten entries in the list: store only the others.
    CacheWriterException failure = null;
    try {
      writer.writeAll(toWrite);
    } catch (CacheWriterException e) {
      failure = e;
    }
    Set<K> unwritten = new HashSet<>();
    if (failure != null) {
      toWrite.forEach(e -> unwritten.add(e.getKey()));
    }
    PendingEvents<K, V> events = context.events();
    boolean blind = context.blindWritesAllowed(events);
    Map<String, StoreEntry> found = blind ? Map.of() : access.readAll(context.memcachedKeys(keys.values()));
    int puts = 0;
    CacheException storeFailure = null;
    if (blind) {
      // One pipelined batch per node: nothing to read first, and nothing depends on the old values.
      Map<EncodedKey, byte[]> batch = new LinkedHashMap<>(BatchMaps.capacityFor(keys.size()));
      keys.forEach((key, ek) -> {
        if (!unwritten.contains(key)) {
          batch.put(ek, bytes.get(key));
        }
      });
      BatchOutcome outcome = access.overwriteAll(batch, access.now());
      if (outcome != null) {
        puts = outcome.done().size();
        storeFailure = partialFailure("putAll", "stored", batch.size(), outcome);
        keys = Map.of(); // all handled
      }
    }
    for (Map.Entry<K, EncodedKey> e : keys.entrySet()) {
      K key = e.getKey();
      if (unwritten.contains(key)) {
        continue;
      }
      if (blind) {
        // The expiry policy expires new entries at once: the reading path, key by key.
        if (context.store(key, e.getValue(), map.get(key), bytes.get(key), events) != WriteOutcome.NOT_STORED) {
          puts++;
        }
        continue;
      }
      EncodedKey ek = e.getValue();
      V value = map.get(key);
      long now = access.now();
      RemoteEntry current = codec.decode(ek, found.get(ek.memcachedKey()));
      V old = access.writableValue(ek.memcachedKey(), current, now);
      WriteOutcome outcome = access.tryWrite(ek, current, old != null, bytes.get(key), now);
      if (outcome == WriteOutcome.CONFLICT) {
        outcome = context.store(key, ek, value, bytes.get(key), events);
      } else {
        context.record(outcome, key, value, old, events);
      }
      if (outcome != WriteOutcome.NOT_STORED) {
        puts++;
      }
    }
    statistics.puts(puts);
    dispatcher.dispatch(events.list());
    statistics.putTime(start);
    throwFirst(failure, storeFailure);
  }

  /** The writer's failure first (the spec's type), else the store's; the other suppressed. */
  private static void throwFirst(CacheWriterException writerFailure, CacheException storeFailure) {
    if (writerFailure != null) {
      if (storeFailure != null) {
        writerFailure.addSuppressed(storeFailure);
      }
      throw writerFailure;
    }
    if (storeFailure != null) {
      throw storeFailure;
    }
  }

  /**
   * A CacheException naming the keys (the first ten) and nodes a batch failed on, its first failure
   * as the cause; null when none failed. The caller knows the others went through.
   */
  private static CacheException partialFailure(String operation, String verb, int total, BatchOutcome outcome) {
    if (outcome.failed().isEmpty()) {
      return null;
    }
    List<String> shown = new ArrayList<>();
    CacheException first = null;
    for (Map.Entry<String, CacheException> failed : new java.util.TreeMap<>(outcome.failed()).entrySet()) {
      if (first == null) {
        first = failed.getValue();
      }
      if (shown.size() < 10) {
        shown.add(failed.getKey() + " (" + failed.getValue().getMessage() + ")");
      }
    }
    int count = outcome.failed().size();
    CacheException exception = new CacheException(operation + ": " + (total - count) + " of " + total + " entries "
        + verb + "; " + count + " failed: " + String.join(", ", shown) + (count > shown.size() ? ", ..." : ""), first);
    return exception;
  }

  public void removeAll(Set<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    Map<K, EncodedKey> encoded = context.encodeAll(keys);
    removeAll(encoded, Map.of());
  }

  public void removeAll() {
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    Map<String, StoreEntry> read = new HashMap<>();
    // Unreadable entries (a key of a refused class, garbage) are in this cache's key space: deleted.
    UnreadableEntries unreadable = codec.unreadableEntries("deleted by removeAll()");
    for (List<String> batch : context.batches(access.store().keysWithPrefix(codec.prefix()))) {
      Map<String, StoreEntry> found = access.readAll(batch);
      long now = access.now();
      for (Map.Entry<String, StoreEntry> e : found.entrySet()) {
        RemoteEntry entry = codec.decode(e.getKey(), e.getValue(), unreadable);
        if (!entry.isLive(now)) {
          access.deleteUnkeyed(e.getKey(), entry.cas());
          continue;
        }
        @SuppressWarnings("unchecked")
        K key = (K) codec.keyOf(e.getKey(), entry, unreadable);
        if (key != null) {
          EncodedKey ek = codec.encodeKey(key);
          encoded.put(key, ek);
          if (ek.memcachedKey().equals(e.getKey())) {
            read.put(e.getKey(), e.getValue()); // its CAS token serves the delete: no second read
          }
        } else {
          access.deleteUnkeyed(e.getKey(), entry.cas());
        }
      }
    }
    removeAll(encoded, read);
    // Copies no read reaches (another ring's home, an old outage's stand-in) would come back when
    // the ring changes back: they go too, without events (they are not this client's entries).
    access.store().deleteStrayCopies(codec.prefix());
    access.evictLocalCopies();
  }

  /**
   * Removes {@code keys} after the writer deleted them; keys the writer failed on stay. Entries in
   * {@code alreadyRead} (by memcached key) are not read again.
   */
  private void removeAll(Map<K, EncodedKey> keys, Map<String, StoreEntry> alreadyRead) {
    long start = statistics.startTimer();
    List<K> toDelete = new ArrayList<>(keys.keySet());
    CacheWriterException failure = null;
    try {
      writer.deleteAll(toDelete);
    } catch (CacheWriterException e) {
      failure = e;
    }
    Set<K> undeleted = failure == null ? Set.of() : new HashSet<>(toDelete);
    PendingEvents<K, V> events = context.events();
    if (alreadyRead.isEmpty() && !events.isActive() && !statistics.isEnabled()) {
      // Nobody needs to know what each key held (no listener, no statistics): one pipelined
      // batch of plain deletes per node, without reading first.
      List<EncodedKey> blind = new ArrayList<>();
      keys.forEach((key, ek) -> {
        if (!undeleted.contains(key)) {
          blind.add(ek);
        }
      });
      BatchOutcome deletes = blind.isEmpty() ? new BatchOutcome(Map.of(), Map.of()) : access.deleteAllBlindly(blind);
      statistics.removeTime(start);
      throwFirst(failure, partialFailure("removeAll", "removed", blind.size(), deletes));
      return;
    }
    int removed = 0;
    // One batched read per node (unless enumeration just read the entries), then a delete with CAS
    // per key; a key changed meanwhile is removed through the read-delete loop.
    Map<String, StoreEntry> found = new HashMap<>(alreadyRead);
    List<String> unread = new ArrayList<>();
    for (EncodedKey ek : keys.values()) {
      if (!alreadyRead.containsKey(ek.memcachedKey())) {
        unread.add(ek.memcachedKey());
      }
    }
    if (!unread.isEmpty()) {
      found.putAll(access.readAll(unread));
    }
    // Every version read is deleted with its CAS token in one pipelined batch per node; a key
    // changed meanwhile goes through the read-delete loop.
    long now = access.now();
    Map<EncodedKey, RemoteEntry> read = new LinkedHashMap<>();
    Map<EncodedKey, RemoteEntry> existing = new LinkedHashMap<>();
    for (Map.Entry<K, EncodedKey> e : keys.entrySet()) {
      if (!undeleted.contains(e.getKey())) {
        RemoteEntry current = codec.decode(e.getValue(), found.get(e.getValue().memcachedKey()));
        read.put(e.getValue(), current);
        if (current.exists()) {
          existing.put(e.getValue(), current);
        }
      }
    }
    BatchOutcome deletes = existing.isEmpty() ? new BatchOutcome(Map.of(), Map.of()) : access.deleteAll(existing);
    for (Map.Entry<K, EncodedKey> e : keys.entrySet()) {
      K key = e.getKey();
      EncodedKey ek = e.getValue();
      if (undeleted.contains(key) || deletes.failed().containsKey(ek.memcachedKey())) {
        continue;
      }
      RemoteEntry current = read.get(ek);
      boolean deleted = Boolean.TRUE.equals(deletes.done().get(ek.memcachedKey()));
      V old = access.writableValue(ek.memcachedKey(), current, now);
      if (old == null) {
        // Expired, unreadable or a loader's lease: it goes too (see CacheContext.removeEntry).
        if (!current.exists() || deleted) {
          context.reportExpired(key, ek, current, now, events);
        } else if (context.removeEntry(key, ek, events) != null) {
          removed++;
        }
      } else if (deleted) {
        events.removed(key, old);
        removed++;
      } else if (context.removeEntry(key, ek, events) != null) {
        removed++;
      }
    }
    statistics.removals(removed);
    dispatcher.dispatch(events.list());
    statistics.removeTime(start);
    throwFirst(failure, partialFailure("removeAll", "removed", existing.size(), deletes));
  }

  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
    }
    CompletionListener listener = completionListener != null ? completionListener : NO_LISTENER;
    if (!loader.exists()) {
      listener.onCompletion();
      return;
    }
    List<K> keysToLoad = new ArrayList<>(keys);
    loadExecutor.execute(() -> {
      try {
        PendingEvents<K, V> events = context.events();
        if (replaceExistingValues) {
          Map<K, V> loaded = keysToLoad.isEmpty() ? Map.of() : loader.loadAll(keysToLoad);
          for (K key : keysToLoad) {
            V value = loaded.get(key);
            if (value != null) {
              context.store(key, codec.encodeKey(key), value, codec.serializeValue(value), events);
            }
          }
        } else {
          loadMissing(keysToLoad, events);
        }
        dispatcher.dispatch(events.list());
        listener.onCompletion();
      } catch (Exception e) {
        listener.onException(e);
      }
    });
  }

  /** loadAll without replacing: loads the keys that hold no live entry and fills them as misses. */
  private void loadMissing(List<K> keys, PendingEvents<K, V> events) {
    List<EncodedKey> encoded = new ArrayList<>(keys.size());
    for (K key : keys) {
      encoded.add(codec.encodeKey(key));
    }
    Map<String, StoreEntry> current = access.readAll(context.memcachedKeys(encoded));
    long now = access.now();
    List<K> missingKeys = new ArrayList<>();
    List<EncodedKey> missingEncoded = new ArrayList<>();
    List<RemoteEntry> missed = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      RemoteEntry entry = codec.decode(encoded.get(i), current.get(encoded.get(i).memcachedKey()));
      if (!entry.isLive(now)) {
        missingKeys.add(keys.get(i));
        missingEncoded.add(encoded.get(i));
        missed.add(entry);
      }
    }
    if (!missingKeys.isEmpty()) {
      context.loads.loadAll(missingKeys, missingEncoded, missed, null, events);
    }
  }

  private static final CompletionListener NO_LISTENER = new CompletionListener() {
      public void onCompletion() {}

      public void onException(Exception e) {
      LOG.warn("loadAll failed", e);
    }
  };
}
