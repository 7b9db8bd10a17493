package io.memjcache;

import io.memjcache.cache.BulkOperations;
import io.memjcache.cache.CacheContext;
import io.memjcache.cache.EntryAccess.WriteOutcome;
import io.memjcache.cache.EntryAccess;
import io.memjcache.cache.EntryCodec;
import io.memjcache.cache.EntryIterator;
import io.memjcache.cache.EntryProcessing;
import io.memjcache.cache.PendingEvents;
import io.memjcache.cache.RemoteEntry;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.config.LoadSettings;
import io.memjcache.event.EventDispatcher;
import io.memjcache.integration.Loader;
import io.memjcache.integration.Writer;
import io.memjcache.near.NearCacheStatistics;
import io.memjcache.stats.CacheStatistics;
import java.io.Closeable;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
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
  private final NearCacheStatistics nearCacheStatistics;
  private final CacheContext<K, V> context;
  private final BulkOperations<K, V> bulk;
  private final EntryProcessing<K, V> processing;
  private volatile boolean closed;

  MemcachedCache(
      String name,
      MemcachedCacheManager manager,
      MemcachedConfiguration<K, V> configuration,
      EntryAccess<V> access,
      NearCacheStatistics nearCacheStatistics,
      LoadSettings loadSettings,
      Executor loadExecutor) {
    this.name = name;
    this.nearCacheStatistics = nearCacheStatistics;
    this.manager = manager;
    this.configuration = configuration;
    this.access = access;
    this.codec = access.codec();
    this.loader = new Loader<>(configuration);
    this.writer = new Writer<>(configuration);
    this.dispatcher = new EventDispatcher<>(name);
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      dispatcher.register(listener);
    }
    statistics.setEnabled(configuration.isStatisticsEnabled());
    this.context = new CacheContext<>(this, access, statistics, dispatcher, loader, writer, loadSettings);
    this.bulk = new BulkOperations<>(context, loadExecutor);
    this.processing = new EntryProcessing<>(context);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public V get(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    long start = statistics.startTimer();
    V value = access.nearValue(key);
    if (value != null) {
      statistics.hits(1);
      statistics.getTime(start);
      return value;
    }
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = context.events();
    value = context.readThrough(key, encoded, access.read(encoded), events);
    dispatcher.dispatch(events.list());
    statistics.getTime(start);
    return value;
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    requireOpen();
    return bulk.getAll(keys);
  }

  @Override
  public boolean containsKey(K key) {
    requireOpen();
    Objects.requireNonNull(key, "key");
    EncodedKey encoded = codec.encodeKey(key);
    RemoteEntry entry = access.read(encoded);
    // An entry a get would miss (unreadable bytes, a refused class) is not contained.
    return entry.isLive(access.now()) && codec.hasReadableValue(entry, encoded.memcachedKey());
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
    requireOpen();
    context.requireKeyValue(key, value);
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    writer.write(key, value);
    PendingEvents<K, V> events = context.events();
    if (context.blindWritesAllowed(events) && access.overwrite(encoded, bytes, access.now())) {
      statistics.puts(1);
    } else if (context.store(key, encoded, value, bytes, events) != WriteOutcome.NOT_STORED) {
      statistics.puts(1);
    }
    dispatcher.dispatch(events.list());
    statistics.putTime(start);
  }

  @Override
  public V getAndPut(K key, V value) {
    requireOpen();
    context.requireKeyValue(key, value);
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    writer.write(key, value);
    PendingEvents<K, V> events = context.events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.writableValue(encoded.memcachedKey(), current, now);
      WriteOutcome outcome = access.tryWrite(encoded, current, old != null, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        if (old == null) {
          context.reportExpired(key, encoded, current, now, events);
        }
        context.record(outcome, key, value, old, events);
        context.countRead(old != null);
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
    bulk.putAll(map);
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    requireOpen();
    context.requireKeyValue(key, value);
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    PendingEvents<K, V> events = context.events();
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
      if (access.writableValue(encoded.memcachedKey(), current, now) != null) {
        present = true;
        break;
      }
      if (attempt == 0) {
        writer.write(key, value);
      }
      WriteOutcome outcome = access.tryWrite(encoded, current, false, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        context.reportExpired(key, encoded, current, now, events);
        context.record(outcome, key, value, null, events);
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
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    writer.delete(key);
    PendingEvents<K, V> events = context.events();
    boolean removed = context.removeEntry(key, encoded, events) != null;
    dispatcher.dispatch(events.list());
    if (removed) {
      statistics.removals(1);
    }
    statistics.removeTime(start);
    return removed;
  }

  @Override
  public boolean remove(K key, V oldValue) {
    requireOpen();
    context.requireKeyValue(key, oldValue);
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = context.events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V value = access.writableValue(encoded.memcachedKey(), current, now);
      if (value == null) {
        context.reportIfExpired(key, encoded, current, now, events);
        statistics.misses(1);
        dispatcher.dispatch(events.list());
        return false;
      }
      if (!value.equals(oldValue)) {
        access.touch(encoded, current, now);
        statistics.hits(1);
        return false;
      }
      if (attempt == 0) {
        writer.delete(key);
      }
      if (access.delete(encoded, current)) {
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
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    writer.delete(key);
    PendingEvents<K, V> events = context.events();
    V old = context.removeEntry(key, encoded, events);
    context.countRead(old != null);
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
    context.requireKeyValue(key, oldValue);
    Objects.requireNonNull(newValue, "newValue");
    return replace(key, oldValue, newValue, false) != null;
  }

  @Override
  public boolean replace(K key, V value) {
    requireOpen();
    context.requireKeyValue(key, value);
    return replace(key, null, value, false) != null;
  }

  @Override
  public V getAndReplace(K key, V value) {
    requireOpen();
    context.requireKeyValue(key, value);
    return replace(key, null, value, true);
  }

  /**
   * Replaces a live entry (whose value equals {@code expected}, when given). Returns the old value,
   * or null when nothing was replaced.
   */
  private V replace(K key, V expected, V value, boolean timeAsGet) {
    long start = statistics.startTimer();
    EncodedKey encoded = codec.encodeKey(key);
    byte[] bytes = codec.serializeValue(value);
    PendingEvents<K, V> events = context.events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.writableValue(encoded.memcachedKey(), current, now);
      if (old == null) {
        context.reportIfExpired(key, encoded, current, now, events);
        statistics.misses(1);
        dispatcher.dispatch(events.list());
        return null;
      }
      if (expected != null && !old.equals(expected)) {
        access.touch(encoded, current, now);
        statistics.hits(1);
        return null;
      }
      if (attempt == 0) {
        writer.write(key, value);
      }
      WriteOutcome outcome = access.tryWrite(encoded, current, true, bytes, now);
      if (outcome != WriteOutcome.CONFLICT) {
        context.record(outcome, key, value, old, events);
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
    bulk.removeAll(keys);
  }

  @Override
  public void removeAll() {
    requireOpen();
    bulk.removeAll();
  }

  @Override
  public void clear() {
    requireOpen();
    deleteAllEntries();
  }

  /** Deletes every entry of this cache on every node: no writer, events or statistics. */
  void deleteAllEntries() {
    access.deleteAll();
  }

  // ---------------------------------------------------------------- entry processors

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    requireOpen();
    return processing.invoke(key, processor, arguments);
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object... arguments) {
    requireOpen();
    return processing.invokeAll(keys, processor, arguments);
  }

  // ---------------------------------------------------------------- loading and listeners

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    requireOpen();
    bulk.loadAll(keys, replaceExistingValues, completionListener);
  }

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
    return new EntryIterator<>(access, codec, statistics, this::remove, access.store().keysWithPrefix(codec.prefix()),
        codec.unreadableEntries("skipped by an iteration"));
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
    access.evictLocalCopies();
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

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

}
