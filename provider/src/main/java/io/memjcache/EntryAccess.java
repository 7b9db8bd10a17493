package io.memjcache;

import io.memjcache.codec.Envelope;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.expiry.ExpiryCalculator;
import io.memjcache.store.Store;
import io.memjcache.store.StoreEntry;
import java.util.Collection;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read and compare-and-swap primitives of one cache's entries: what a read found, whether it
 * is live by the client's clock, and single write attempts that succeed only if nobody changed the
 * entry since it was read. JCache rules (events, writers, statistics) stay in the cache.
 */
final class EntryAccess<V> {

  private static final Logger LOG = LoggerFactory.getLogger(EntryAccess.class);

  /** How one write attempt went. */
  enum WriteOutcome {
    CREATED,
    UPDATED,
    /** The expiry policy expired the entry at once: nothing is stored (an update deleted it). */
    NOT_STORED,
    /** Somebody changed the entry between our read and our write: read again. */
    CONFLICT
  }

  private final String cacheName;
  private final Store store;
  private final EntryCodec codec;
  private final ExpiryCalculator expiry;
  private final LongSupplier clock;
  private final int maxRetries;
  private final boolean readFailureAsMiss;

  EntryAccess(
      String cacheName, Store store, EntryCodec codec, ExpiryCalculator expiry, LongSupplier clock, int maxRetries,
      boolean readFailureAsMiss) {
    this.cacheName = cacheName;
    this.store = store;
    this.codec = codec;
    this.expiry = expiry;
    this.clock = clock;
    this.maxRetries = maxRetries;
    this.readFailureAsMiss = readFailureAsMiss;
  }

  boolean readFailureAsMiss() {
    return readFailureAsMiss;
  }

  int maxRetries() {
    return maxRetries;
  }

  long now() {
    return clock.getAsLong();
  }

  Store store() {
    return store;
  }

  EntryCodec codec() {
    return codec;
  }

  ExpiryCalculator expiry() {
    return expiry;
  }

  /** A read to answer a get: a near cache may serve it within its staleness bound. */
  RemoteEntry read(EncodedKey key) {
    StoreEntry raw;
    try {
      raw = store.get(key.memcachedKey());
    } catch (CacheException e) {
      if (!readFailureAsMiss) {
        throw e;
      }
      LOG.warn("cache {}: read of {} failed, answered as a miss (memjcache.readFailureAsMiss): {}",
          cacheName, key.memcachedKey(), e.getMessage());
      return RemoteEntry.ABSENT;
    }
    return codec.decode(key, raw);
  }

  /** A read to base a write on: always what memcached holds now. */
  RemoteEntry readLatest(EncodedKey key) {
    return codec.decode(key, store.getLatest(key.memcachedKey()));
  }

  Map<String, StoreEntry> readAll(Collection<String> memcachedKeys) {
    return store.getAll(memcachedKeys);
  }

  /** A batch read to answer a getAll: with readFailureAsMiss, a failed batch is all misses. */
  Map<String, StoreEntry> readAllToAnswer(Collection<String> memcachedKeys) {
    try {
      return store.getAll(memcachedKeys);
    } catch (CacheException e) {
      if (!readFailureAsMiss) {
        throw e;
      }
      LOG.warn("cache {}: read of {} keys failed, answered as misses (memjcache.readFailureAsMiss): {}",
          cacheName, memcachedKeys.size(), e.getMessage());
      return Map.of();
    }
  }

  /** The value of a live, readable entry, or null. */
  @SuppressWarnings("unchecked")
  V liveValue(String memcachedKey, RemoteEntry entry, long now) {
    if (!entry.isLive(now)) {
      return null;
    }
    return (V) codec.value(entry, memcachedKey);
  }

  /**
   * For a write: the live value, or null when there is none or it cannot be read (garbage,
   * another format, a class outside the allowlist). The write then replaces or deletes what is
   * there with compare-and-swap instead of failing: one bad entry must not block evictions.
   */
  V writableValue(String memcachedKey, RemoteEntry entry, long now) {
    try {
      return liveValue(memcachedKey, entry, now);
    } catch (CacheException e) {
      LOG.warn("cache {}: entry under {} cannot be read and will be replaced or removed: {}", cacheName, memcachedKey, e.getMessage());
      return null;
    }
  }

  /** Deletes an entry that exists, has not expired, but has no readable value; true if it did. */
  boolean discardUnreadable(String memcachedKey, RemoteEntry entry, long now) {
    return entry.exists() && !entry.isExpired(now) && store.delete(memcachedKey, entry.cas());
  }

  /** The value an expired entry had (for EXPIRED events), or null. */
  @SuppressWarnings("unchecked")
  V expiredValue(String memcachedKey, RemoteEntry entry) {
    return (V) codec.value(entry, memcachedKey);
  }

  /**
   * One attempt to store {@code bytes} over what {@code current} read. An update of a live entry
   * applies the update expiry; anything else is a creation.
   */
  WriteOutcome tryWrite(EncodedKey key, RemoteEntry current, boolean live, byte[] bytes, long now) {
    String memcachedKey = key.memcachedKey();
    if (live) {
      Envelope old = current.envelope();
      long expiresAt = expiry.onUpdate(now, old.expiresAt());
      if (expiresAt <= now) {
        return store.delete(memcachedKey, current.cas()) ? WriteOutcome.NOT_STORED : WriteOutcome.CONFLICT;
      }
      Envelope envelope = codec.envelope(key, expiresAt, bytes);
      return store.compareAndSet(memcachedKey, current.cas(), envelope.flags(), envelope.encode(), expiresAt)
          ? WriteOutcome.UPDATED
          : WriteOutcome.CONFLICT;
    }
    long expiresAt = expiry.onCreation(now);
    if (expiresAt <= now) {
      if (current.exists()) {
        store.delete(memcachedKey, current.cas());
      }
      return WriteOutcome.NOT_STORED;
    }
    return tryCreate(key, current, bytes, now, expiresAt);
  }

  /** Stores a new entry where {@code current} found none (or a dead one). */
  WriteOutcome tryCreate(EncodedKey key, RemoteEntry current, byte[] bytes, long now, long expiresAt) {
    Envelope envelope = codec.envelope(key, expiresAt, bytes);
    String memcachedKey = key.memcachedKey();
    boolean stored =
        current.exists()
            ? store.compareAndSet(memcachedKey, current.cas(), envelope.flags(), envelope.encode(), expiresAt)
            : store.add(memcachedKey, envelope.flags(), envelope.encode(), expiresAt);
    return stored ? WriteOutcome.CREATED : WriteOutcome.CONFLICT;
  }

  /**
   * Stores unconditionally, as a creation: for puts whose outcome cannot depend on what they
   * overwrite (see {@link ExpiryCalculator#isWriteHistoryFree()}). False when the expiry policy
   * expires the entry at once (nothing is written then; the caller takes the reading path).
   */
  boolean overwrite(EncodedKey key, byte[] bytes, long now) {
    long expiresAt = expiry.onCreation(now);
    if (expiresAt <= now) {
      return false;
    }
    Envelope envelope = codec.envelope(key, expiresAt, bytes);
    store.set(key.memcachedKey(), envelope.flags(), envelope.encode(), expiresAt);
    return true;
  }

  /** Deletes the version {@code current} read; false if it changed meanwhile. */
  boolean delete(String memcachedKey, RemoteEntry current) {
    return store.delete(memcachedKey, current.cas());
  }

  /** Applies the access expiry to a live entry; losing a race to a writer is fine. */
  void touch(String memcachedKey, RemoteEntry entry, long now) {
    Envelope envelope = entry.envelope();
    long expiresAt = expiry.onAccess(now, envelope.expiresAt());
    if (expiresAt == envelope.expiresAt()) {
      return;
    }
    if (expiresAt <= now) {
      store.delete(memcachedKey, entry.cas());
    } else {
      Envelope touched = envelope.withExpiresAt(expiresAt);
      store.compareAndSet(memcachedKey, entry.cas(), touched.flags(), touched.encode(), expiresAt);
    }
  }

  /**
   * Frees an entry that expired by the client's clock but is still in memcached, unless it changed.
   * Returns true when this call removed it (so this JVM reports the expiry, once).
   */
  boolean discardExpired(String memcachedKey, RemoteEntry entry, long now) {
    return entry.isExpired(now) && store.delete(memcachedKey, entry.cas());
  }

  CacheException contention(EncodedKey key) {
    return new CacheException(
        "cache " + cacheName + ": gave up after " + maxRetries + " conflicting concurrent updates of "
            + key.memcachedKey() + " (memjcache.maxCasRetries)");
  }
}
