package io.memjcache.cache;

import io.memjcache.MemcachedCache;
import io.memjcache.cache.EntryAccess.WriteOutcome;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.config.LoadSettings;
import io.memjcache.event.EventDispatcher;
import io.memjcache.integration.Loader;
import io.memjcache.integration.Writer;
import io.memjcache.stats.CacheStatistics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one cache's operations share: its entries in memcached ({@link EntryAccess}), its
 * statistics, listeners, loader and writer, and the JCache rules used by several operations —
 * read-through, put semantics, removal with its REMOVED event, EXPIRED reporting.
 */
public final class CacheContext<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(CacheContext.class);

  private final MemcachedCache<K, V> source;
  final EntryAccess<V> access;
  final EntryCodec codec;
  final CacheStatistics statistics;
  final EventDispatcher<K, V> dispatcher;
  final Loader<K, V> loader;
  final Writer<K, V> writer;
  /** Read-through loads of missing entries: single flight, leases. */
  final LoadCoordinator<K, V> loads;

  public CacheContext(
      MemcachedCache<K, V> source,
      EntryAccess<V> access,
      CacheStatistics statistics,
      EventDispatcher<K, V> dispatcher,
      Loader<K, V> loader,
      Writer<K, V> writer,
      LoadSettings loadSettings) {
    this.source = source;
    this.access = access;
    this.codec = access.codec();
    this.statistics = statistics;
    this.dispatcher = dispatcher;
    this.loader = loader;
    this.writer = writer;
    this.loads = new LoadCoordinator<>(this, loader, loadSettings.singleFlight(), loadSettings.lease().toMillis());
  }

  /** The cache events name as their source. */
  public MemcachedCache<K, V> source() {
    return source;
  }

  public PendingEvents<K, V> events() {
    return PendingEvents.of(source, dispatcher.isActive());
  }

  public void record(WriteOutcome outcome, K key, V value, V old, PendingEvents<K, V> events) {
    switch (outcome) {
      case CREATED -> events.created(key, value);
      case UPDATED -> events.updated(key, value, old);
      default -> { }
    }
  }

  /**
   * Frees an entry seen expired and raises EXPIRED if this JVM removed it. Returns what the key
   * holds as far as this call knows: nothing once it removed the entry, else {@code entry}.
   */
  public RemoteEntry reportIfExpired(K key, EncodedKey encoded, RemoteEntry entry, long now, PendingEvents<K, V> events) {
    if (entry.isExpired(now) && access.discardExpired(encoded, entry, now)) {
      reportExpired(key, encoded, entry, now, events);
      return RemoteEntry.ABSENT;
    }
    return entry;
  }

  /** Raises EXPIRED for an entry a write replaced or a delete freed after it had expired. */
  public void reportExpired(K key, EncodedKey encoded, RemoteEntry entry, long now, PendingEvents<K, V> events) {
    if (events.isActive() && entry.isExpired(now)) {
      V old = access.expiredValue(encoded.memcachedKey(), entry);
      if (old != null) {
        events.expired(key, old);
      }
    }
  }

  public void countRead(boolean hit) {
    if (hit) {
      statistics.hits(1);
    } else {
      statistics.misses(1);
    }
  }

  public Map<K, EncodedKey> encodeAll(Collection<? extends K> keys) {
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
    }
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      encoded.put(key, codec.encodeKey(key));
    }
    return encoded;
  }

  public List<String> memcachedKeys(Collection<EncodedKey> keys) {
    List<String> result = new ArrayList<>(keys.size());
    for (EncodedKey key : keys) {
      result.add(key.memcachedKey());
    }
    return result;
  }

  public List<List<String>> batches(List<String> keys) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += EntryIterator.BATCH_SIZE) {
      batches.add(keys.subList(i, Math.min(keys.size(), i + EntryIterator.BATCH_SIZE)));
    }
    return batches;
  }

  /** Put semantics without writer or statistics: creates or updates, whatever is there. */
  public WriteOutcome store(K key, EncodedKey encoded, V value, byte[] bytes, PendingEvents<K, V> events) {
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.writableValue(encoded.memcachedKey(), current, now);
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

  /**
   * A value the loader returned for a miss goes into the cache like a put, minus writer and
   * statistics, but only in place of {@code target} (see {@link LoadCoordinator}): a write
   * or remove made while the loader ran always wins, and the fill is then dropped. True when the
   * target was still there to replace (the value was stored, or the expiry policy let nothing be).
   */
  public boolean fill(K key, EncodedKey encoded, V value, RemoteEntry target, PendingEvents<K, V> events) {
    if (target == null || target.isLive(access.now())) {
      return false; // a remove or a write got there first
    }
    try {
      long now = access.now();
      WriteOutcome outcome = access.fill(encoded, target, codec.serializeValue(value), now);
      record(outcome, key, value, null, events);
      return outcome != WriteOutcome.CONFLICT;
    } catch (CacheException e) {
      if (!access.readFailureAsMiss()) {
        throw e;
      }
      // A cache fill, not the caller's write: with readFailureAsMiss the loaded value still answers.
      LOG.warn("cache {}: could not store the loaded value of {}: {}", source.getName(), encoded.memcachedKey(), e.getMessage());
      return false;
    }
  }

  /** Deletes the live entry under {@code key}, raising REMOVED; returns its value or null. */
  public V removeEntry(K key, EncodedKey encoded, PendingEvents<K, V> events) {
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry current = access.readLatest(encoded);
      V old = access.writableValue(encoded.memcachedKey(), current, now);
      if (old == null) {
        // Nothing live to remove; but what is there (an expired or unreadable entry, a loader's
        // lease) must go too, or a fill racing with this remove could still land: read again if
        // it changed under us.
        if (!current.exists()) {
          return null;
        }
        if (access.delete(encoded, current)) {
          reportExpired(key, encoded, current, now, events);
          return null;
        }
        continue;
      }
      if (access.delete(encoded, current)) {
        events.removed(key, old);
        return old;
      }
    }
    throw access.contention(encoded);
  }

  /** The live value (an access), else a miss that the loader may fill. Counts the hit or miss. */
  public V readThrough(K key, EncodedKey encoded, RemoteEntry entry, PendingEvents<K, V> events) {
    long now = access.now();
    V value = access.liveValue(encoded.memcachedKey(), entry, now);
    if (value != null) {
      statistics.hits(1);
      access.touch(encoded, entry, now);
      return value;
    }
    statistics.misses(1);
    RemoteEntry missed = reportIfExpired(key, encoded, entry, now, events);
    if (!loader.isReadThrough()) {
      return null;
    }
    return loads.load(key, encoded, missed, events);
  }

  /** The value of an entry a writer stored after a miss (it answers instead of a load); null if unreadable. */
  public V writtenValue(EncodedKey encoded, RemoteEntry written) {
    return access.writableValue(encoded.memcachedKey(), written, access.now());
  }

  /**
   * A put needs to read what it overwrites only for events (CREATED or UPDATED, old values) and
   * for expiry policies whose update lifetime differs from a creation's. Otherwise it is a single
   * memcached {@code set}.
   */
  public boolean blindWritesAllowed(PendingEvents<K, V> events) {
    return !events.isActive() && access.expiry().isWriteHistoryFree();
  }

  public void requireKeyValue(Object key, Object value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
