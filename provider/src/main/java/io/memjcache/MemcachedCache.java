package io.memjcache;

import io.memjcache.EntryAccess.WriteOutcome;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.event.EventDispatcher;
import io.memjcache.integration.Loader;
import io.memjcache.integration.Writer;
import io.memjcache.stats.CacheStatistics;
import io.memjcache.store.near.NearCacheStatistics;
import io.memjcache.store.StoreEntry;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JCache {@link Cache} whose entries live on a memcached cluster. Every JVM that opens a cache
 * of the same name (and namespace) on the same servers shares its entries.
 *
 * <p>Conditional operations are atomic across JVMs: they read the entry with its CAS token and
 * write it back only if nobody changed it in between, retrying a bounded number of times.
 * Expiry is decided here, in milliseconds, from the times kept in each entry; memcached's own
 * lifetime is only a rounded-up bound that frees memory. Write-through writers run before the
 * cache changes; events are raised by this JVM for the changes it makes.
 */
public class MemcachedCache<K, V> implements Cache<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(MemcachedCache.class);

  private final String name;
  private final MemcachedCacheManager manager;
  private final MemcachedConfiguration<K, V> configuration;
  private final EntryAccess<V> access;
  private final EntryCodec codec;
  private final CacheStatistics statistics = new CacheStatistics();
  private final EventDispatcher<K, V> dispatcher;
  private final Loader<K, V> loader;
  private final Writer<K, V> writer;
  private final Executor loadExecutor;
  private final NearCacheStatistics nearCacheStatistics;
  private volatile boolean closed;

  MemcachedCache(
      String name,
      MemcachedCacheManager manager,
      MemcachedConfiguration<K, V> configuration,
      EntryAccess<V> access,
      NearCacheStatistics nearCacheStatistics,
      Executor loadExecutor) {
    this.name = name;
    this.nearCacheStatistics = nearCacheStatistics;
    this.manager = manager;
    this.configuration = configuration;
    this.access = access;
    this.codec = access.codec();
    this.loadExecutor = loadExecutor;
    this.loader = new Loader<>(configuration);
    this.writer = new Writer<>(configuration);
    this.dispatcher = new EventDispatcher<>(name);
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      dispatcher.register(listener);
    }
    statistics.setEnabled(configuration.isStatisticsEnabled());
  }

  // ---------------------------------------------------------------- reads

  @Override
  public V get(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = events();
    V value = readThrough(key, encoded, access.read(encoded), events);
    dispatcher.dispatch(events.list());
    statistics.getTime(start);
    return value;
  }

  /** The live value (an access), else a miss that the loader may fill. Counts the hit or miss. */
  private V readThrough(K key, EncodedKey encoded, RemoteEntry entry, PendingEvents<K, V> events) {
    long now = access.now();
    V value = access.liveValue(encoded.memcachedKey(), entry, now);
    if (value != null) {
      statistics.hits(1);
      access.touch(encoded.memcachedKey(), entry, now);
      return value;
    }
    statistics.misses(1);
    reportIfExpired(key, encoded, entry, now, events);
    if (!loader.isReadThrough()) {
      return null;
    }
    V loaded = loader.load(key);
    if (loaded != null) {
      storeLoaded(key, encoded, loaded, events);
    }
    return loaded;
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    long start = System.nanoTime();
    Map<K, EncodedKey> encoded = encodeAll(keys);
    Map<String, StoreEntry> found = access.readAll(memcachedKeys(encoded.values()));
    PendingEvents<K, V> events = events();
    Map<K, V> result = new LinkedHashMap<>();
    List<K> misses = new ArrayList<>();
    for (Map.Entry<K, EncodedKey> e : encoded.entrySet()) {
      K key = e.getKey();
      EncodedKey ek = e.getValue();
      RemoteEntry entry = codec.decode(ek, found.get(ek.memcachedKey()));
      long now = access.now();
      V value = access.liveValue(ek.memcachedKey(), entry, now);
      if (value != null) {
        statistics.hits(1);
        access.touch(ek.memcachedKey(), entry, now);
        result.put(key, value);
      } else {
        statistics.misses(1);
        reportIfExpired(key, ek, entry, now, events);
        misses.add(key);
      }
    }
    if (loader.isReadThrough() && !misses.isEmpty()) {
      Map<K, V> loaded = loader.loadAll(misses);
      for (K key : misses) {
        V value = loaded.get(key);
        if (value != null) {
          storeLoaded(key, encoded.get(key), value, events);
          result.put(key, value);
        }
      }
    }
    dispatcher.dispatch(events.list());
    statistics.getTime(start);
    return result;
  }

  @Override
  public boolean containsKey(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    EncodedKey encoded = codec.encodeKey(key);
    return access.liveValue(encoded.memcachedKey(), access.read(encoded), access.now()) != null;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
    requireOpen();
    requireKeyValue(key, value);
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    writer.write(key, value);
    PendingEvents<K, V> events = events();
    if (blindWritesAllowed(events) && access.overwrite(encoded, bytes, access.now())) {
      statistics.puts(1);
    } else if (store(key, encoded, value, bytes, events) != WriteOutcome.NOT_STORED) {
      statistics.puts(1);
    }
    dispatcher.dispatch(events.list());
    statistics.putTime(start);
  }

  /**
   * A put needs to read what it overwrites only for events (CREATED or UPDATED, old values) and
   * for expiry policies whose update lifetime differs from a creation's. Otherwise it is a single
   * memcached {@code set}.
   */
  private boolean blindWritesAllowed(PendingEvents<K, V> events) {
    return !events.isActive() && access.expiry().isWriteHistoryFree();
  }

  /** Put semantics without writer or statistics: creates or updates, whatever is there. */
  private WriteOutcome store(K key, EncodedKey encoded, V value, byte[] bytes, PendingEvents<K, V> events) {
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.liveValue(encoded.memcachedKey(), current, now);
      WriteOutcome outcome = access.tryWrite(encoded, current, old != null, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        if (old == null) {
          reportExpired(key, encoded, current, now, events);
        }
        record(outcome, key, value, old, events);
        return outcome;
      }
    }
    throw access.contention(encoded);
  }

  /** A value the loader returned goes into the cache like a put, minus writer and statistics. */
  private void storeLoaded(K key, EncodedKey encoded, V value, PendingEvents<K, V> events) {
    store(key, encoded, value, codec.serializeValue(value), events);
  }

  @Override
  public V getAndPut(K key, V value) {
    requireOpen();
    requireKeyValue(key, value);
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    writer.write(key, value);
    PendingEvents<K, V> events = events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.liveValue(encoded.memcachedKey(), current, now);
      WriteOutcome outcome = access.tryWrite(encoded, current, old != null, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        if (old == null) {
          reportExpired(key, encoded, current, now, events);
        }
        record(outcome, key, value, old, events);
        countRead(old != null);
        if (outcome != WriteOutcome.NOT_STORED) {
          statistics.puts(1);
        }
        dispatcher.dispatch(events.list());
        statistics.getTime(start);
        statistics.putTime(start);
        return old;
      }
    }
    throw access.contention(encoded);
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    requireOpen();
    Objects.requireNonNull(map, "map");
    long start = System.nanoTime();
    // Validate and serialize everything first: bad input must change nothing.
    Map<K, EncodedKey> keys = new LinkedHashMap<>();
    Map<K, byte[]> bytes = new HashMap<>();
    List<Cache.Entry<? extends K, ? extends V>> toWrite = new ArrayList<>(map.size());
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      requireKeyValue(e.getKey(), e.getValue());
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
    PendingEvents<K, V> events = events();
    boolean blind = blindWritesAllowed(events);
    Map<String, StoreEntry> found = blind ? Map.of() : access.readAll(memcachedKeys(keys.values()));
    int puts = 0;
    for (Map.Entry<K, EncodedKey> e : keys.entrySet()) {
      K key = e.getKey();
      if (unwritten.contains(key)) {
        continue;
      }
      if (blind) {
        if (access.overwrite(e.getValue(), bytes.get(key), access.now())
            || store(key, e.getValue(), map.get(key), bytes.get(key), events) != WriteOutcome.NOT_STORED) {
          puts++;
        }
        continue;
      }
      EncodedKey ek = e.getValue();
      V value = map.get(key);
      long now = access.now();
      RemoteEntry current = codec.decode(ek, found.get(ek.memcachedKey()));
      V old = access.liveValue(ek.memcachedKey(), current, now);
      WriteOutcome outcome = access.tryWrite(ek, current, old != null, bytes.get(key), now);
      if (outcome == WriteOutcome.CONFLICT) {
        outcome = store(key, ek, value, bytes.get(key), events);
      } else {
        record(outcome, key, value, old, events);
      }
      if (outcome != WriteOutcome.NOT_STORED) {
        puts++;
      }
    }
    statistics.puts(puts);
    dispatcher.dispatch(events.list());
    statistics.putTime(start);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    requireOpen();
    requireKeyValue(key, value);
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    PendingEvents<K, V> events = events();
    boolean stored = false;
    boolean present = false;
    if (!writer.isWriteThrough() && !events.isActive() && access.expiry().isSideEffectFree()) {
      // Optimistic: most putIfAbsent calls find nothing, and add is one round trip.
      long now = access.now();
      long expiresAt = access.expiry().onCreation(now);
      if (expiresAt > now && access.tryCreate(encoded, RemoteEntry.ABSENT, bytes, now, expiresAt) == WriteOutcome.CREATED) {
        statistics.misses(1);
        statistics.puts(1);
        statistics.putTime(start);
        return true;
      }
    }
    for (int attempt = 0; ; attempt++) {
      if (attempt == access.maxRetries()) {
        throw access.contention(encoded);
      }
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      if (access.liveValue(encoded.memcachedKey(), current, now) != null) {
        present = true;
        break;
      }
      if (attempt == 0) {
        writer.write(key, value);
      }
      WriteOutcome outcome = access.tryWrite(encoded, current, false, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        reportExpired(key, encoded, current, now, events);
        record(outcome, key, value, null, events);
        stored = outcome == WriteOutcome.CREATED;
        break;
      }
    }
    if (present) {
      statistics.hits(1);
    } else {
      statistics.misses(1);
      if (stored) {
        statistics.puts(1);
      }
    }
    dispatcher.dispatch(events.list());
    statistics.putTime(start);
    return stored;
  }

  @Override
  public boolean remove(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    writer.delete(key);
    PendingEvents<K, V> events = events();
    boolean removed = removeEntry(key, encoded, events) != null;
    dispatcher.dispatch(events.list());
    if (removed) {
      statistics.removals(1);
    }
    statistics.removeTime(start);
    return removed;
  }

  /** Deletes the live entry under {@code key}, raising REMOVED; returns its value or null. */
  private V removeEntry(K key, EncodedKey encoded, PendingEvents<K, V> events) {
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.liveValue(encoded.memcachedKey(), current, now);
      if (old == null) {
        reportIfExpired(key, encoded, current, now, events);
        return null;
      }
      if (access.delete(encoded.memcachedKey(), current)) {
        events.removed(key, old);
        return old;
      }
    }
    throw access.contention(encoded);
  }

  @Override
  public boolean remove(K key, V oldValue) {
    requireOpen();
    requireKeyValue(key, oldValue);
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V value = access.liveValue(encoded.memcachedKey(), current, now);
      if (value == null) {
        reportIfExpired(key, encoded, current, now, events);
        statistics.misses(1);
        dispatcher.dispatch(events.list());
        return false;
      }
      if (!value.equals(oldValue)) {
        access.touch(encoded.memcachedKey(), current, now);
        statistics.hits(1);
        return false;
      }
      if (attempt == 0) {
        writer.delete(key);
      }
      if (access.delete(encoded.memcachedKey(), current)) {
        events.removed(key, value);
        statistics.hits(1);
        statistics.removals(1);
        dispatcher.dispatch(events.list());
        statistics.removeTime(start);
        return true;
      }
    }
    throw access.contention(encoded);
  }

  @Override
  public V getAndRemove(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    writer.delete(key);
    PendingEvents<K, V> events = events();
    V old = removeEntry(key, encoded, events);
    countRead(old != null);
    if (old != null) {
      statistics.removals(1);
    }
    dispatcher.dispatch(events.list());
    statistics.getTime(start);
    statistics.removeTime(start);
    return old;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    requireOpen();
    requireKeyValue(key, oldValue);
    Objects.requireNonNull(newValue, "newValue");
    return replace(key, oldValue, newValue, false) != null;
  }

  @Override
  public boolean replace(K key, V value) {
    requireOpen();
    requireKeyValue(key, value);
    return replace(key, null, value, false) != null;
  }

  @Override
  public V getAndReplace(K key, V value) {
    requireOpen();
    requireKeyValue(key, value);
    return replace(key, null, value, true);
  }

  /**
   * Replaces a live entry (whose value equals {@code expected}, when given). Returns the old value,
   * or null when nothing was replaced.
   */
  private V replace(K key, V expected, V value, boolean timeAsGet) {
    long start = System.nanoTime();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    PendingEvents<K, V> events = events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.liveValue(encoded.memcachedKey(), current, now);
      if (old == null) {
        reportIfExpired(key, encoded, current, now, events);
        statistics.misses(1);
        dispatcher.dispatch(events.list());
        return null;
      }
      if (expected != null && !old.equals(expected)) {
        access.touch(encoded.memcachedKey(), current, now);
        statistics.hits(1);
        return null;
      }
      if (attempt == 0) {
        writer.write(key, value);
      }
      WriteOutcome outcome = access.tryWrite(encoded, current, true, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        record(outcome, key, value, old, events);
        statistics.hits(1);
        statistics.puts(1);
        dispatcher.dispatch(events.list());
        if (timeAsGet) {
          statistics.getTime(start);
        }
        statistics.putTime(start);
        return old;
      }
    }
    throw access.contention(encoded);
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    Map<K, EncodedKey> encoded = encodeAll(keys);
    removeAll(encoded);
  }

  @Override
  public void removeAll() {
    requireOpen();
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    for (List<String> batch : batches(access.store().keysWithPrefix(codec.prefix()))) {
      Map<String, StoreEntry> found = access.readAll(batch);
      long now = access.now();
      for (Map.Entry<String, StoreEntry> e : found.entrySet()) {
        RemoteEntry entry = codec.decode(e.getKey(), e.getValue());
        if (!entry.isLive(now)) {
          access.store().delete(e.getKey(), entry.cas());
          continue;
        }
        @SuppressWarnings("unchecked")
        K key = (K) codec.keyOf(e.getKey(), entry);
        if (key != null) {
          encoded.put(key, codec.encodeKey(key));
        } else {
          access.store().delete(e.getKey(), entry.cas());
        }
      }
    }
    removeAll(encoded);
    access.store().evictLocalCopies();
  }

  /** Removes {@code keys} after the writer deleted them; keys the writer failed on stay. */
  private void removeAll(Map<K, EncodedKey> keys) {
    long start = System.nanoTime();
    List<K> toDelete = new ArrayList<>(keys.keySet());
    CacheWriterException failure = null;
    try {
      writer.deleteAll(toDelete);
    } catch (CacheWriterException e) {
      failure = e;
    }
    Set<K> undeleted = failure == null ? Set.of() : new HashSet<>(toDelete);
    PendingEvents<K, V> events = events();
    int removed = 0;
    // One batched read per node, then a delete with CAS per key; a key changed meanwhile is
    // removed through the read-delete loop.
    Map<String, StoreEntry> found = access.readAll(memcachedKeys(keys.values()));
    for (Map.Entry<K, EncodedKey> e : keys.entrySet()) {
      K key = e.getKey();
      EncodedKey ek = e.getValue();
      if (undeleted.contains(key)) {
        continue;
      }
      long now = access.now();
      RemoteEntry current = codec.decode(ek, found.get(ek.memcachedKey()));
      V old = access.liveValue(ek.memcachedKey(), current, now);
      if (old == null) {
        reportIfExpired(key, ek, current, now, events);
      } else if (access.delete(ek.memcachedKey(), current)) {
        events.removed(key, old);
        removed++;
      } else if (removeEntry(key, ek, events) != null) {
        removed++;
      }
    }
    statistics.removals(removed);
    dispatcher.dispatch(events.list());
    statistics.removeTime(start);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void clear() {
    requireOpen();
    deleteAllEntries();
  }

  /** Deletes every entry of this cache on every node: no writer, events or statistics. */
  void deleteAllEntries() {
    for (String key : access.store().keysWithPrefix(codec.prefix())) {
      access.store().delete(key);
    }
    access.store().evictLocalCopies();
  }

  // ---------------------------------------------------------------- entry processors

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(processor, "processor");
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V value = access.liveValue(encoded.memcachedKey(), current, now);
      ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, value, loader.isReadThrough() ? loader::load : null);
      T result;
      try {
        result = processor.process(entry, arguments);
      } catch (Exception e) {
        throw e instanceof EntryProcessorException epe ? epe : new EntryProcessorException(e);
      }
      if (applyProcessed(key, encoded, current, value, entry, now, events)) {
        if (value == null) {
          reportExpired(key, encoded, current, now, events);
        }
        dispatcher.dispatch(events.list());
        return result;
      }
    }
    throw access.contention(encoded);
  }

  /** Writes what the processor did; false on a CAS conflict (the caller re-runs it). */
  private boolean applyProcessed(
      K key, EncodedKey encoded, RemoteEntry current, V before, ProcessorEntry<K, V> entry, long now,
      PendingEvents<K, V> events) {
    String memcachedKey = encoded.memcachedKey();
    switch (entry.outcome()) {
      case NONE, READ -> {
        if (entry.outcome() == ProcessorEntry.Outcome.READ && before != null) {
          access.touch(memcachedKey, current, now);
        }
        countRead(before != null);
        return true;
      }
      case LOADED -> {
        countRead(false);
        storeLoaded(key, encoded, entry.newValue(), events);
        return true;
      }
      case REMOVED -> {
        countRead(before != null);
        writer.delete(key);
        if (before == null) {
          return true;
        }
        if (!access.delete(memcachedKey, current)) {
          return false;
        }
        events.removed(key, before);
        statistics.removals(1);
        return true;
      }
      case SET -> {
        V value = entry.newValue();
        writer.write(key, value);
        WriteOutcome outcome = access.tryWrite(encoded, current, before != null, codec.serializeValue(value), now);
        if (outcome == WriteOutcome.CONFLICT) {
          return false;
        }
        countRead(before != null);
        record(outcome, key, value, before, events);
        if (outcome != WriteOutcome.NOT_STORED) {
          statistics.puts(1);
        }
        return true;
      }
      default -> throw new IllegalStateException("unknown outcome " + entry.outcome());
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object... arguments) {
    requireOpen();
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(processor, "processor");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
    }
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T result = invoke(key, processor, arguments);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (EntryProcessorException e) {
        results.put(key, () -> { throw e; });
      } catch (CacheException | IllegalArgumentException e) {
        EntryProcessorException wrapped = new EntryProcessorException(e);
        results.put(key, () -> { throw wrapped; });
      }
    }
    return results;
  }

  // ---------------------------------------------------------------- loading and listeners

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    requireOpen();
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
        List<K> wanted = new ArrayList<>();
        for (K key : keysToLoad) {
          if (replaceExistingValues || !containsKey(key)) {
            wanted.add(key);
          }
        }
        Map<K, V> loaded = wanted.isEmpty() ? Map.of() : loader.loadAll(wanted);
        PendingEvents<K, V> events = events();
        for (K key : wanted) {
          V value = loaded.get(key);
          if (value != null) {
            storeLoaded(key, codec.encodeKey(key), value, events);
          }
        }
        dispatcher.dispatch(events.list());
        listener.onCompletion();
      } catch (Exception e) {
        listener.onException(e);
      }
    });
  }

  private static final CompletionListener NO_LISTENER = new CompletionListener() {
    @Override
    public void onCompletion() {}

    @Override
    public void onException(Exception e) {
      LOG.warn("loadAll failed", e);
    }
  };

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    requireOpen();
    Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
    dispatcher.register(listenerConfiguration);
    configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    requireOpen();
    Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
    dispatcher.deregister(listenerConfiguration);
    configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
  }

  // ---------------------------------------------------------------- iteration

  @Override
  public Iterator<Entry<K, V>> iterator() {
    requireOpen();
    return new EntryIterator<>(this, access.store().keysWithPrefix(codec.prefix()));
  }

  /** One batch of the iterator: the live entries among {@code memcachedKeys}. */
  @SuppressWarnings("unchecked")
  List<IteratedEntry<K, V>> readBatch(List<String> memcachedKeys) {
    Map<String, StoreEntry> found = access.readAll(memcachedKeys);
    List<IteratedEntry<K, V>> entries = new ArrayList<>(found.size());
    long now = access.now();
    for (String memcachedKey : memcachedKeys) {
      RemoteEntry entry = codec.decode(memcachedKey, found.get(memcachedKey));
      if (!entry.isLive(now)) {
        continue;
      }
      K key = (K) codec.keyOf(memcachedKey, entry);
      V value = key == null ? null : access.liveValue(memcachedKey, entry, now);
      if (value != null) {
        entries.add(new IteratedEntry<>(memcachedKey, entry, new MemcachedCacheEntry<>(key, value)));
      }
    }
    return entries;
  }

  /** An entry the iterator holds, with the version it read. */
  record IteratedEntry<K, V>(String memcachedKey, RemoteEntry remote, MemcachedCacheEntry<K, V> entry) {}

  /** The iterator hands out an entry: an access for statistics and expiry. */
  void accessedByIterator(IteratedEntry<K, V> iterated) {
    statistics.hits(1);
    access.touch(iterated.memcachedKey(), iterated.remote(), access.now());
  }

  // ---------------------------------------------------------------- the rest of the API

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
    if (clazz.isInstance(configuration)) {
      return clazz.cast(configuration);
    }
    throw new IllegalArgumentException("the configuration of cache " + name + " is not a " + clazz.getName());
  }

  CompleteConfiguration<K, V> configuration() {
    return configuration;
  }

  /** This JVM's statistics of the cache (counted only while statistics are enabled). */
  public CacheStatistics statistics() {
    return statistics;
  }

  /** This JVM's near-cache statistics of the cache, or null when it has no near cache. */
  public NearCacheStatistics nearCacheStatistics() {
    return nearCacheStatistics;
  }

  /** The memcached node ({@code host:port} as configured) that holds {@code key}. */
  public String nodeOf(K key) {
    Objects.requireNonNull(key, "key");
    return access.store().nodeFor(codec.encodeKey(key).memcachedKey());
  }

  @Override
  public void close() {
    if (!closed) {
      shutdown();
      manager.released(this);
    }
  }

  /** Closes the cache and its customizations without telling the manager (it is closing us). */
  synchronized void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    access.store().evictLocalCopies();
    dispatcher.close();
    closeQuietly(loader);
    closeQuietly(writer);
    closeQuietly(access.expiry().policy());
  }

  private static void closeQuietly(Object resource) {
    if (resource instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("error closing {}", resource, e);
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap cache " + name + " to " + clazz.getName());
  }

  @Override
  public String toString() {
    return "MemcachedCache[" + name + "]";
  }

  // ---------------------------------------------------------------- internals

  private PendingEvents<K, V> events() {
    return new PendingEvents<>(this, dispatcher.isActive());
  }

  private static <K, V> void record(WriteOutcome outcome, K key, V value, V old, PendingEvents<K, V> events) {
    switch (outcome) {
      case CREATED -> events.created(key, value);
      case UPDATED -> events.updated(key, value, old);
      default -> { }
    }
  }

  /** Frees an entry seen expired and raises EXPIRED if this JVM removed it. */
  private void reportIfExpired(K key, EncodedKey encoded, RemoteEntry entry, long now, PendingEvents<K, V> events) {
    if (entry.isExpired(now) && access.discardExpired(encoded.memcachedKey(), entry, now)) {
      reportExpired(key, encoded, entry, now, events);
    }
  }

  /** Raises EXPIRED for an entry a write replaced or a delete freed after it had expired. */
  private void reportExpired(K key, EncodedKey encoded, RemoteEntry entry, long now, PendingEvents<K, V> events) {
    if (events.isActive() && entry.isExpired(now)) {
      V old = access.expiredValue(encoded.memcachedKey(), entry);
      if (old != null) {
        events.expired(key, old);
      }
    }
  }

  private void countRead(boolean hit) {
    if (hit) {
      statistics.hits(1);
    } else {
      statistics.misses(1);
    }
  }

  private Map<K, EncodedKey> encodeAll(Collection<? extends K> keys) {
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
    }
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      encoded.put(key, codec.encodeKey(key));
    }
    return encoded;
  }

  private static List<String> memcachedKeys(Collection<EncodedKey> keys) {
    List<String> result = new ArrayList<>(keys.size());
    for (EncodedKey key : keys) {
      result.add(key.memcachedKey());
    }
    return result;
  }

  static List<List<String>> batches(List<String> keys) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += EntryIterator.BATCH_SIZE) {
      batches.add(keys.subList(i, Math.min(keys.size(), i + EntryIterator.BATCH_SIZE)));
    }
    return batches;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

  private static void requireKeyValue(Object key, Object value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
