package io.memjcache.cache;

import io.memjcache.codec.CorruptEntryException;
import io.memjcache.codec.DisallowedClassException;
import io.memjcache.codec.EntrySeal;
import io.memjcache.codec.Envelope;
import io.memjcache.codec.ImmutableTypes;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.codec.KeyCodec;
import io.memjcache.codec.Serializer;
import io.memjcache.store.StoreEntry;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates one cache's keys and values between Java objects and stored bytes: key encoding,
 * envelopes, serialization. Unreadable entries become misses with a warning; a class outside the
 * allowlist is refused with a {@link CacheException}.
 */
public final class EntryCodec {

  private static final Logger LOG = LoggerFactory.getLogger(EntryCodec.class);

  private final String cacheName;
  private final KeyCodec keyCodec;
  private final Serializer serializer;
  private final EntrySeal seal;

  /** What goes to memcached for one entry: its flags and bytes (sealed when integrity is on). */
  public record Stored(int flags, byte[] data) {}

  public EntryCodec(String cacheName, KeyCodec keyCodec, Serializer serializer, EntrySeal seal) {
    this.cacheName = cacheName;
    this.keyCodec = keyCodec;
    this.serializer = serializer;
    this.seal = seal;
  }

  public String prefix() {
    return keyCodec.prefix();
  }

  public EncodedKey encodeKey(Object key) {
    if (key instanceof String plain) {
      EncodedKey encoded = keyCodec.encodePlain(plain);
      if (encoded != null) {
        return encoded;
      }
    }
    return keyCodec.encode(key, serializer.serialize(key));
  }

  public byte[] serializeValue(Object value) {
    return serializer.serializeValue(value);
  }

  /** A new envelope for {@code key}; embeds the serialized key when the memcached key is hashed. */
  public Envelope envelope(EncodedKey key, long expiresAt, byte[] value) {
    return new Envelope(expiresAt, key.hashed() ? key.serializedKey() : null, value);
  }

  /** The flags and bytes to store {@code envelope} under {@code key}. */
  public Stored stored(EncodedKey key, Envelope envelope) {
    if (!seal.isOn()) {
      return new Stored(envelope.flags(), envelope.encode());
    }
    int flags = envelope.flags() | Envelope.HAS_MAC;
    return new Stored(flags, seal.seal(key.memcachedKey(), flags, envelope.encode()));
  }

  /**
   * The envelope in stored bytes, after checking their seal when integrity is on (an entry sealed by
   * a writer with a secret is still readable by one without: it just cannot check it).
   */
  private Envelope open(String memcachedKey, StoreEntry raw) {
    int length;
    if (seal.isOn()) {
      length = seal.open(memcachedKey, raw.flags(), raw.data());
    } else {
      length = raw.data() == null ? 0 : raw.data().length;
      if ((raw.flags() & Envelope.HAS_MAC) != 0) {
        length -= EntrySeal.MAC_LENGTH;
      }
    }
    return Envelope.decode(raw.flags(), raw.data(), Math.max(length, 0));
  }

  /** Interprets what the store returned for {@code key}. */
  public RemoteEntry decode(EncodedKey key, StoreEntry raw) {
    if (raw == null) {
      return RemoteEntry.ABSENT;
    }
    if (Lease.is(raw)) {
      return new RemoteEntry(raw, null);
    }
    Envelope envelope;
    try {
      envelope = open(key.memcachedKey(), raw);
    } catch (CorruptEntryException e) {
      LOG.warn("cache {}: unreadable entry under {} treated as a miss: {}", cacheName, key.memcachedKey(), e.getMessage());
      return new RemoteEntry(raw, null);
    }
    if (key.hashed() && !KeyCodec.sameKey(envelope.key(), key.serializedKey())) {
      // Another key with the same hash (or a forged entry): a miss, never its value.
      return new RemoteEntry(raw, null);
    }
    return new RemoteEntry(raw, envelope);
  }

  /** A tally of the entries an enumeration cannot read; {@code outcome} says what happens to them. */
  public UnreadableEntries unreadableEntries(String outcome) {
    return new UnreadableEntries(cacheName, outcome);
  }

  /**
   * Interprets an entry found by enumeration, where the key is known only as a memcached key; an
   * unreadable one goes to {@code unreadable}.
   */
  public RemoteEntry decode(String memcachedKey, StoreEntry raw, UnreadableEntries unreadable) {
    if (raw == null) {
      return RemoteEntry.ABSENT;
    }
    if (Lease.is(raw)) {
      return new RemoteEntry(raw, null);
    }
    try {
      return new RemoteEntry(raw, open(memcachedKey, raw));
    } catch (CorruptEntryException e) {
      unreadable.add(memcachedKey, e.getMessage());
      return new RemoteEntry(raw, null);
    }
  }

  /** The value of a readable entry; null (a miss, logged) when its bytes cannot be read. */
  public Object value(RemoteEntry entry, String memcachedKey) {
    Object value = entry.cachedValue();
    if (value == null) {
      Envelope envelope = entry.envelope();
      value = deserialize(envelope.valueBuffer(), envelope.valueOffset(), envelope.valueLength(), memcachedKey);
      if (ImmutableTypes.isImmutable(value)) {
        entry.cacheValue(value);
      }
    }
    return value;
  }

  /**
   * A loaded value in a form that other callers can each turn into a copy of their own with
   * {@link #restore} (store-by-value): immutable values as they are, others serialized once.
   */
  public Object snapshot(Object value) {
    return value == null || ImmutableTypes.isImmutable(value) ? value : new SerializedValue(serializer.serializeValue(value));
  }

  /** A copy of a value from its {@link #snapshot}. */
  public Object restore(Object snapshot, String memcachedKey) {
    return snapshot instanceof SerializedValue serialized
        ? deserialize(serialized.bytes(), 0, serialized.bytes().length, memcachedKey)
        : snapshot;
  }

  private record SerializedValue(byte[] bytes) {}

  /**
   * The value of a readable entry, or null when it cannot be read — a class outside the allowlist
   * included: for enumeration, which skips such entries instead of failing on them.
   */
  public Object valueOrNull(RemoteEntry entry, String memcachedKey, UnreadableEntries unreadable) {
    Object value = entry.cachedValue();
    if (value != null) {
      return value;
    }
    Envelope envelope = entry.envelope();
    try {
      value = serializer.deserialize(envelope.valueBuffer(), envelope.valueOffset(), envelope.valueLength());
    } catch (CorruptEntryException e) {
      unreadable.add(memcachedKey, "value: " + e.getMessage());
      return null;
    }
    if (ImmutableTypes.isImmutable(value)) {
      entry.cacheValue(value);
    }
    return value;
  }

  /**
   * True when {@code entry} holds a value a get would return: readable, and of an allowed class.
   * What containsKey answers, so that it never says yes to a key whose get misses.
   */
  public boolean hasReadableValue(RemoteEntry entry, String memcachedKey) {
    if (entry.envelope() == null) {
      return false;
    }
    try {
      return value(entry, memcachedKey) != null;
    } catch (CacheException e) {
      LOG.warn("cache {}: entry under {} is not contained: {}", cacheName, memcachedKey, e.getMessage());
      return false;
    }
  }

  /**
   * The cache key of an entry found by enumeration, or null when it cannot be read (garbage, a
   * class outside the allowlist): such a key is still in this cache's key space, so removeAll()
   * deletes the entry and iteration skips it.
   */
  public Object keyOf(String memcachedKey, RemoteEntry entry, UnreadableEntries unreadable) {
    try {
      byte[] serialized = keyCodec.serializedKeyOf(memcachedKey);
      if (serialized == null) {
        serialized = entry.envelope() == null ? null : entry.envelope().key();
        if (serialized == null) {
          throw new CorruptEntryException("hashed key without its key in the entry");
        }
      }
      return serializer.deserialize(serialized, 0, serialized.length);
    } catch (CorruptEntryException e) {
      unreadable.add(memcachedKey, "key: " + e.getMessage());
      return null;
    }
  }

  private Object deserialize(byte[] bytes, int offset, int length, String memcachedKey) {
    try {
      return serializer.deserialize(bytes, offset, length);
    } catch (DisallowedClassException e) {
      throw new CacheException("cache " + cacheName + ", key " + memcachedKey + ": " + e.getMessage(), e);
    } catch (CorruptEntryException e) {
      LOG.warn("cache {}: unreadable value under {} treated as a miss: {}", cacheName, memcachedKey, e.getMessage());
      return null;
    }
  }
}
