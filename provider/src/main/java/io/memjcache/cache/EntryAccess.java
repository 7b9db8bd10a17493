package io.memjcache.cache;

import io.memjcache.codec.Envelope;
import io.memjcache.codec.ImmutableTypes;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.expiry.ExpiryCalculator;
import io.memjcache.near.NearCache;
import io.memjcache.store.BatchMaps;
import io.memjcache.store.BatchOutcome;
import io.memjcache.store.Store;
import io.memjcache.store.StoreEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read and compare-and-swap primitives of one cache's entries: what a read found, whether it
 * is live by the client's clock, and single write attempts that succeed only if nobody changed the
 * entry since it was read. JCache rules (events, writers, statistics) stay in the cache.
 *
 * <p>With a near cache, reads that answer a get may be served from a local copy
 * ({@link #read}, {@link #readAllToAnswer}, {@link #nearValue}); reads that a write decides on
 * ({@link #readLatest}, {@link #readAll}) always ask memcached; every write drops the key's copy
 * before and after it is sent.
 */
public final class EntryAccess<V> {

  private static final Logger LOG = LoggerFactory.getLogger(EntryAccess.class);

  /** How one write attempt went. */
  public enum WriteOutcome {
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
  /** The near cache, or null. */
  private final NearCache<NearCopy> near;
  /** A near copy answers a get by itself: the expiry policy has nothing to do on access. */
  private final boolean nearAnswersAlone;

  /** A near-cache copy: the decoded entry and the memcached key it was read under. */
  public record NearCopy(RemoteEntry entry, String memcachedKey) {}

  public EntryAccess(
      String cacheName, Store store, EntryCodec codec, ExpiryCalculator expiry, LongSupplier clock, int maxRetries,
      boolean readFailureAsMiss, NearCache<NearCopy> near) {
    this.cacheName = cacheName;
    this.store = store;
    this.codec = codec;
    this.expiry = expiry;
    this.clock = clock;
    this.maxRetries = maxRetries;
    this.readFailureAsMiss = readFailureAsMiss;
    this.near = near;
    this.nearAnswersAlone = near != null && expiry.isAccessFree();
  }

  public boolean readFailureAsMiss() {
    return readFailureAsMiss;
  }

  public int maxRetries() {
    return maxRetries;
  }

  public long now() {
    return clock.getAsLong();
  }

  public Store store() {
    return store;
  }

  public EntryCodec codec() {
    return codec;
  }

  public ExpiryCalculator expiry() {
    return expiry;
  }

  /**
   * The fast path of a get: the value of the near-cache copy of {@code key}, when a copy may answer
   * without memcached (a key usable as it is, an expiry policy with nothing to do on access); else
   * null. A copy is never kept past its entry's expiry, so a copy found is live.
   */
  @SuppressWarnings("unchecked")
  public V nearValue(Object key) {
    if (!nearAnswersAlone || !ImmutableTypes.isLocalKey(key)) {
      return null;
    }
    NearCopy copy = near.get(key);
    if (copy == null) {
      return null;
    }
    RemoteEntry entry = copy.entry();
    Object value = entry.cachedValue();
    return value != null ? (V) value : (V) codec.value(entry, copy.memcachedKey());
  }

  /** A read to answer a get: a near cache may serve it within its staleness bound. */
  public RemoteEntry read(EncodedKey key) {
    if (near == null) {
      return codec.decode(key, readToAnswer(key));
    }
    NearCopy copy = near.get(key.localKey());
    if (copy != null) {
      return copy.entry();
    }
    near.misses(1);
    long epoch = near.epoch(key.localKey());
    long sentAt = System.nanoTime();
    RemoteEntry entry = codec.decode(key, readToAnswer(key));
    keep(key, entry, epoch, sentAt);
    return entry;
  }

  private StoreEntry readToAnswer(EncodedKey key) {
    try {
      return store.get(key.memcachedKey());
    } catch (CacheException e) {
      if (!readFailureAsMiss) {
        throw e;
      }
      LOG.warn("cache {}: read of {} failed, answered as a miss (memjcache.readFailureAsMiss): {}",
          cacheName, key.memcachedKey(), e.getMessage());
      return null;
    }
  }

  /** Keeps a readable entry in the near cache (which refuses it if a local write raced). */
  private void keep(EncodedKey key, RemoteEntry entry, long epoch, long sentAt) {
    Envelope envelope = entry.envelope();
    if (envelope != null) {
      near.remember(key.localKey(), new NearCopy(entry, key.memcachedKey()), epoch, sentAt, envelope.expiresAt());
    }
  }

  /** A read to base a write on: always what memcached holds now. */
  public RemoteEntry readLatest(EncodedKey key) {
    return codec.decode(key, store.get(key.memcachedKey()));
  }

  /** A batch read to base writes on: always what memcached holds now. */
  public Map<String, StoreEntry> readAll(Collection<String> memcachedKeys) {
    return store.getAll(memcachedKeys);
  }

  /**
   * A batch read to answer a getAll: what was found for each of {@code keys}, at the same index
   * ({@link RemoteEntry#ABSENT} for none). Near copies where there are some, one multi-get per node
   * for the rest. With readFailureAsMiss, a failed batch is all misses.
   */
  public RemoteEntry[] readAllToAnswer(List<EncodedKey> keys) {
    RemoteEntry[] result = new RemoteEntry[keys.size()];
    List<String> remoteKeys = new ArrayList<>(keys.size());
    for (int i = 0; i < result.length; i++) {
      EncodedKey key = keys.get(i);
      NearCopy copy = near == null ? null : near.get(key.localKey());
      if (copy != null) {
        result[i] = copy.entry();
      } else {
        result[i] = RemoteEntry.ABSENT;
        remoteKeys.add(key.memcachedKey());
      }
    }
    if (remoteKeys.isEmpty()) {
      return result;
    }
    long[] epochs = null;
    if (near != null) {
      near.misses(remoteKeys.size());
      epochs = new long[result.length];
      for (int i = 0; i < result.length; i++) {
        epochs[i] = near.epoch(keys.get(i).localKey());
      }
    }
    long sentAt = System.nanoTime();
    Map<String, StoreEntry> found;
    try {
      found = store.getAll(remoteKeys);
    } catch (CacheException e) {
      if (!readFailureAsMiss) {
        throw e;
      }
      LOG.warn("cache {}: read of {} keys failed, answered as misses (memjcache.readFailureAsMiss): {}",
          cacheName, remoteKeys.size(), e.getMessage());
      return result;
    }
    for (int i = 0; i < result.length; i++) {
      if (result[i] != RemoteEntry.ABSENT) {
        continue; // a near copy
      }
      EncodedKey key = keys.get(i);
      StoreEntry raw = found.get(key.memcachedKey());
      if (raw != null) {
        result[i] = codec.decode(key, raw);
        if (near != null) {
          keep(key, result[i], epochs[i], sentAt);
        }
      }
    }
    return result;
  }

  /** The value of a live, readable entry, or null. */
  @SuppressWarnings("unchecked")
  public V liveValue(String memcachedKey, RemoteEntry entry, long now) {
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
  public V writableValue(String memcachedKey, RemoteEntry entry, long now) {
    try {
      return liveValue(memcachedKey, entry, now);
    } catch (CacheException e) {
      LOG.warn("cache {}: entry under {} cannot be read and will be replaced or removed: {}", cacheName, memcachedKey, e.getMessage());
      return null;
    }
  }

  /** The value an expired entry had (for EXPIRED events), or null. */
  @SuppressWarnings("unchecked")
  public V expiredValue(String memcachedKey, RemoteEntry entry) {
    return (V) codec.value(entry, memcachedKey);
  }

  /**
   * One attempt to store {@code bytes} over what {@code current} read. An update of a live entry
   * applies the update expiry; anything else is a creation.
   */
  public WriteOutcome tryWrite(EncodedKey key, RemoteEntry current, boolean live, byte[] bytes, long now) {
    if (live) {
      Envelope old = current.envelope();
      long expiresAt = expiry.onUpdate(now, old.expiresAt());
      if (expiresAt <= now) {
        return delete(key, current) ? WriteOutcome.NOT_STORED : WriteOutcome.CONFLICT;
      }
      return compareAndSet(key, current, codec.envelope(key, expiresAt, bytes)) ? WriteOutcome.UPDATED : WriteOutcome.CONFLICT;
    }
    long expiresAt = expiry.onCreation(now);
    if (expiresAt <= now) {
      if (current.exists()) {
        delete(key, current);
      }
      return WriteOutcome.NOT_STORED;
    }
    return tryCreate(key, current, bytes, now, expiresAt);
  }

  /** What a miss found when it tried to lease its key for a load (see {@link Lease}). */
  public record Claim(Kind kind, RemoteEntry entry) {
    public enum Kind {
      /** The caller holds the lease in {@link #entry}: it loads, and the fill replaces the lease. */
      MINE,
      /** Another load holds the lease in {@link #entry} until its deadline. */
      OTHERS,
      /** A writer stored the live {@link #entry} since the miss: it answers instead of a load. */
      WRITTEN,
      /** Something else changed under the key ({@link #entry} is what is there now): claim again. */
      RETRY
    }
  }

  /**
   * Tries to lease {@code key} for one load by {@code owner}, given what a read just found there
   * ({@code seen}): nothing is added (an {@code add}); an expired or unreadable entry or an expired
   * lease is replaced exactly (compare-and-swap); the key is then read back to learn who holds it.
   */
  public Claim claim(EncodedKey key, RemoteEntry seen, long owner, long now, long leaseMillis) {
    Claim known = classify(seen, owner, now, leaseMillis);
    if (known != null) {
      return known;
    }
    placeLease(key, seen, owner, now, leaseMillis);
    return classifyRead(readLatest(key), owner, now, leaseMillis);
  }

  /** {@link #claim} for many keys: what needs a lease gets one, then one batched read of them all. */
  public Claim[] claimAll(List<EncodedKey> keys, List<RemoteEntry> seen, long owner, long now, long leaseMillis) {
    Claim[] claims = new Claim[keys.size()];
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < claims.length; i++) {
      claims[i] = classify(seen.get(i), owner, now, leaseMillis);
      if (claims[i] == null) {
        placeLease(keys.get(i), seen.get(i), owner, now, leaseMillis);
        placed.add(keys.get(i).memcachedKey());
      }
    }
    if (!placed.isEmpty()) {
      Map<String, StoreEntry> found = store.getAll(placed);
      for (int i = 0; i < claims.length; i++) {
        if (claims[i] == null) {
          claims[i] = classifyRead(codec.decode(keys.get(i), found.get(keys.get(i).memcachedKey())), owner, now, leaseMillis);
        }
      }
    }
    return claims;
  }

  /** What {@code seen} means without asking memcached, or null when a lease must be placed. */
  private static Claim classify(RemoteEntry seen, long owner, long now, long leaseMillis) {
    if (seen.isLive(now)) {
      return new Claim(Claim.Kind.WRITTEN, seen);
    }
    if (seen.isLeaseHeldAt(now, leaseMillis)) {
      return new Claim(seen.leaseOwner() == owner ? Claim.Kind.MINE : Claim.Kind.OTHERS, seen);
    }
    return null;
  }

  private static Claim classifyRead(RemoteEntry current, long owner, long now, long leaseMillis) {
    Claim claim = classify(current, owner, now, leaseMillis);
    return claim != null ? claim : new Claim(Claim.Kind.RETRY, current);
  }

  private void placeLease(EncodedKey key, RemoteEntry seen, long owner, long now, long leaseMillis) {
    long deadline = now + leaseMillis;
    byte[] lease = Lease.data(owner, deadline);
    // Either may fail (the key was taken meanwhile): the read that follows tells by whom.
    if (seen.exists()) {
      store.compareAndSet(key.memcachedKey(), seen.cas(), Lease.FLAGS, lease, deadline);
    } else {
      store.add(key.memcachedKey(), Lease.FLAGS, lease, deadline);
    }
  }

  /** Stores a loaded value in place of {@code target}, the entry a {@link #claim} found or placed; CONFLICT if anyone wrote meanwhile. */
  public WriteOutcome fill(EncodedKey key, RemoteEntry target, byte[] bytes, long now) {
    return tryWrite(key, target, false, bytes, now);
  }

  /** Deletes a lease that no fill will replace (the loader found nothing); best effort: true if it was still there. */
  public boolean releaseLease(EncodedKey key, RemoteEntry target) {
    if (target != null && target.isLease()) {
      try {
        return store.delete(key.memcachedKey(), target.cas());
      } catch (CacheException e) {
        LOG.debug("cache {}: could not delete the lease of {}; it expires by itself", cacheName, key.memcachedKey(), e);
      }
    }
    return false;
  }

  /** Stores a new entry where {@code current} found none (or a dead one). */
  public WriteOutcome tryCreate(EncodedKey key, RemoteEntry current, byte[] bytes, long now, long expiresAt) {
    Envelope envelope = codec.envelope(key, expiresAt, bytes);
    boolean stored;
    if (current.exists()) {
      stored = compareAndSet(key, current, envelope);
    } else {
      writeStarts(key);
      try {
        EntryCodec.Stored form = codec.stored(key, envelope);
        stored = store.add(key.memcachedKey(), form.flags(), form.data(), expiresAt);
      } finally {
        writeEnds(key);
      }
    }
    return stored ? WriteOutcome.CREATED : WriteOutcome.CONFLICT;
  }

  /**
   * Stores unconditionally, as a creation: for puts whose outcome cannot depend on what they
   * overwrite (see {@link ExpiryCalculator#isWriteHistoryFree()}). False when the expiry policy
   * expires the entry at once (nothing is written then; the caller takes the reading path).
   */
  public boolean overwrite(EncodedKey key, byte[] bytes, long now) {
    long expiresAt = expiry.onCreation(now);
    if (expiresAt <= now) {
      return false;
    }
    Envelope envelope = codec.envelope(key, expiresAt, bytes);
    writeStarts(key);
    try {
      EntryCodec.Stored stored = codec.stored(key, envelope);
      store.set(key.memcachedKey(), stored.flags(), stored.data(), expiresAt);
    } finally {
      writeEnds(key);
    }
    return true;
  }

  /**
   * {@link #overwrite} for many keys, pipelined (one round trip per node); null, writing nothing,
   * when the expiry policy expires new entries at once (the caller takes the reading path).
   */
  public BatchOutcome overwriteAll(Map<EncodedKey, byte[]> entries, long now) {
    long expiresAt = expiry.onCreation(now);
    if (expiresAt <= now) {
      return null;
    }
    List<Store.Write> writes = new ArrayList<>(entries.size());
    entries.forEach((key, bytes) -> {
      EntryCodec.Stored stored = codec.stored(key, codec.envelope(key, expiresAt, bytes));
      writes.add(new Store.Write(key.memcachedKey(), stored.flags(), stored.data(), expiresAt));
    });
    return writingAll(entries.keySet(), () -> store.setAll(writes));
  }

  /** A write of {@link #updateAll}: the live version read, and the new value's bytes (null: remove it). */
  public record Update(EncodedKey key, RemoteEntry current, byte[] bytes) {}

  /**
   * {@link #tryWrite} (or {@link #delete}) of live entries for many keys, pipelined: one round
   * trip per node. Maps each key to its {@link WriteOutcome} (UPDATED, or NOT_STORED when the
   * expiry policy expired it at once, or a removal: UPDATED too; CONFLICT when it changed since
   * its read) or to the CacheException of its node.
   */
  public Map<EncodedKey, Object> updateAll(List<Update> updates, long now) {
    List<Store.Conditional> writes = new ArrayList<>(updates.size());
    Map<String, EncodedKey> byMemcachedKey = new HashMap<>(BatchMaps.capacityFor(updates.size()));
    Map<EncodedKey, WriteOutcome> onSuccess = new HashMap<>(BatchMaps.capacityFor(updates.size()));
    for (Update update : updates) {
      EncodedKey key = update.key();
      byMemcachedKey.put(key.memcachedKey(), key);
      long cas = update.current().cas();
      if (update.bytes() == null) {
        writes.add(new Store.Conditional(key.memcachedKey(), cas, 0, null, 0));
        onSuccess.put(key, WriteOutcome.UPDATED);
        continue;
      }
      long expiresAt = expiry.onUpdate(now, update.current().envelope().expiresAt());
      if (expiresAt <= now) {
        writes.add(new Store.Conditional(key.memcachedKey(), cas, 0, null, 0));
        onSuccess.put(key, WriteOutcome.NOT_STORED);
        continue;
      }
      EntryCodec.Stored stored = codec.stored(key, codec.envelope(key, expiresAt, update.bytes()));
      writes.add(new Store.Conditional(key.memcachedKey(), cas, stored.flags(), stored.data(), expiresAt));
      onSuccess.put(key, WriteOutcome.UPDATED);
    }
    BatchOutcome outcome = writingAll(byMemcachedKey.values(), () -> store.compareAndSetAll(writes));
    Map<EncodedKey, Object> results = new HashMap<>(BatchMaps.capacityFor(updates.size()));
    outcome.done().forEach((memcachedKey, written) -> {
      EncodedKey key = byMemcachedKey.get(memcachedKey);
      results.put(key, written ? onSuccess.get(key) : WriteOutcome.CONFLICT);
    });
    outcome.failed().forEach((memcachedKey, failure) -> results.put(byMemcachedKey.get(memcachedKey), failure));
    return results;
  }

  /** Deletes whatever each key holds, pipelined; done maps a memcached key to whether it held anything. */
  public BatchOutcome deleteAllBlindly(List<EncodedKey> keys) {
    Map<EncodedKey, Long> anyVersion = new LinkedHashMap<>(BatchMaps.capacityFor(keys.size()));
    keys.forEach(key -> anyVersion.put(key, 0L));
    return deleteVersions(anyVersion);
  }

  /** {@link #delete} for many keys, pipelined; done maps a memcached key to whether it was deleted. */
  public BatchOutcome deleteAll(Map<EncodedKey, RemoteEntry> current) {
    Map<EncodedKey, Long> versions = new LinkedHashMap<>(BatchMaps.capacityFor(current.size()));
    current.forEach((key, entry) -> versions.put(key, entry.cas()));
    return deleteVersions(versions);
  }

  /** Deletes each key if it has the CAS token given (0: any), pipelined. */
  private BatchOutcome deleteVersions(Map<EncodedKey, Long> versions) {
    Map<String, Long> casByKey = new LinkedHashMap<>(BatchMaps.capacityFor(versions.size()));
    versions.forEach((key, cas) -> casByKey.put(key.memcachedKey(), cas));
    return writingAll(versions.keySet(), () -> store.deleteAll(casByKey));
  }

  /** Runs a batched write of {@code keys} between the near cache's write brackets of each. */
  private <T> T writingAll(Collection<EncodedKey> keys, Supplier<T> write) {
    keys.forEach(this::writeStarts);
    try {
      return write.get();
    } finally {
      keys.forEach(this::writeEnds);
    }
  }

  /** Deletes the version {@code current} read; false if it changed meanwhile. */
  public boolean delete(EncodedKey key, RemoteEntry current) {
    writeStarts(key);
    try {
      return store.delete(key.memcachedKey(), current.cas());
    } finally {
      writeEnds(key);
    }
  }

  private boolean compareAndSet(EncodedKey key, RemoteEntry current, Envelope envelope) {
    writeStarts(key);
    try {
      EntryCodec.Stored stored = codec.stored(key, envelope);
      return store.compareAndSet(key.memcachedKey(), current.cas(), stored.flags(), stored.data(), envelope.expiresAt());
    } finally {
      writeEnds(key);
    }
  }

  /** Applies the access expiry to a live entry; losing a race to a writer is fine. */
  public void touch(EncodedKey key, RemoteEntry entry, long now) {
    Envelope envelope = entry.envelope();
    long expiresAt = expiry.onAccess(now, envelope.expiresAt());
    if (expiresAt == envelope.expiresAt()) {
      return;
    }
    if (expiresAt <= now) {
      delete(key, entry);
    } else {
      compareAndSet(key, entry, envelope.withExpiresAt(expiresAt));
    }
  }

  /**
   * Frees an entry that expired by the client's clock but is still in memcached, unless it changed.
   * Returns true when this call removed it (so this JVM reports the expiry, once).
   */
  public boolean discardExpired(EncodedKey key, RemoteEntry entry, long now) {
    return entry.isExpired(now) && delete(key, entry);
  }

  /** Deletes an entry known only by its memcached key (enumeration); local copies go with {@link #evictLocalCopies}. */
  public boolean deleteUnkeyed(String memcachedKey, long cas) {
    return store.delete(memcachedKey, cas);
  }

  /** Deletes every entry of the cache on every node, local copies included. */
  public void deleteAll() {
    evictLocalCopies();
    try {
      store.deleteWithPrefix(codec.prefix());
    } finally {
      evictLocalCopies();
    }
  }

  /** Drops every near-cache copy of this cache in this JVM. */
  public void evictLocalCopies() {
    if (near != null) {
      near.invalidateAll();
    }
  }

  private void writeStarts(EncodedKey key) {
    if (near != null) {
      near.beforeWrite(key.localKey());
    }
  }

  private void writeEnds(EncodedKey key) {
    if (near != null) {
      near.afterWrite(key.localKey());
    }
  }

  public CacheException contention(EncodedKey key) {
    return new CacheException(
        "cache " + cacheName + ": gave up after " + maxRetries + " conflicting concurrent updates of "
            + key.memcachedKey() + " (memjcache.maxCasRetries)");
  }
}
