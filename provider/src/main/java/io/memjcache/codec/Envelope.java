package io.memjcache.codec;

import io.memjcache.store.Store;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The value stored under one of our keys: the expiry time in epoch milliseconds, the serialized
 * value and, for keys too long to store verbatim, the serialized key.
 *
 * <p>Wire format. memcached's 32-bit flags carry the format version and which optional fields
 * follow, so they cost nothing in the item; an eternal entry with a short key costs no byte beyond
 * its serialized value:
 *
 * <pre>
 *   flags: bits 0-7 format version (1), bit 8 {@link #HAS_KEY}, bit 9 {@link #HAS_EXPIRY},
 *          bit 10 {@link #HAS_MAC}
 *   data:  [expiresAt(8)] [keyLength(4) key] value [mac(16)]
 * </pre>
 *
 * The MAC is added and checked by {@link EntrySeal}; an envelope itself never includes it.
 *
 * {@link #NEVER} ({@code Long.MAX_VALUE}) stands for an entry that never expires. A decoded
 * envelope points into the bytes read from memcached instead of copying its value out of them.
 */
public final class Envelope {

  public static final int FORMAT_VERSION = 1;
  public static final int HAS_KEY = 1 << 8;
  public static final int HAS_EXPIRY = 1 << 9;
  public static final int HAS_MAC = 1 << 10;
  /** The same instant as the store's {@link Store#NEVER}: expiry times pass from one to the other. */
  public static final long NEVER = Store.NEVER;
  private static final int KNOWN_FLAGS = 0xFF | HAS_KEY | HAS_EXPIRY | HAS_MAC;

  private final long expiresAt;
  private final byte[] key;
  private final byte[] buffer;
  private final int valueOffset;
  private final int valueLength;

  public Envelope(long expiresAt, byte[] key, byte[] value) {
    this(expiresAt, key, value, 0, value.length);
  }

  private Envelope(long expiresAt, byte[] key, byte[] buffer, int valueOffset, int valueLength) {
    this.expiresAt = expiresAt;
    this.key = key;
    this.buffer = buffer;
    this.valueOffset = valueOffset;
    this.valueLength = valueLength;
  }

  public long expiresAt() {
    return expiresAt;
  }

  /** The serialized key, when the memcached key is a hash of it; else null. */
  public byte[] key() {
    return key;
  }

  /** The array holding the serialized value, at {@link #valueOffset()} for {@link #valueLength()} bytes. */
  public byte[] valueBuffer() {
    return buffer;
  }

  public int valueOffset() {
    return valueOffset;
  }

  public int valueLength() {
    return valueLength;
  }

  /** A copy of the serialized value. */
  public byte[] value() {
    return Arrays.copyOfRange(buffer, valueOffset, valueOffset + valueLength);
  }

  public boolean isExpiredAt(long now) {
    return expiresAt <= now;
  }

  public Envelope withExpiresAt(long newExpiresAt) {
    return new Envelope(newExpiresAt, key, buffer, valueOffset, valueLength);
  }

  public int flags() {
    return FORMAT_VERSION | (key != null ? HAS_KEY : 0) | (expiresAt != NEVER ? HAS_EXPIRY : 0);
  }

  public byte[] encode() {
    if (expiresAt == NEVER && key == null && valueOffset == 0 && valueLength == buffer.length) {
      return buffer; // no header: the serialized value is the stored form, no copy needed
    }
    int size = (expiresAt != NEVER ? 8 : 0) + (key != null ? 4 + key.length : 0) + valueLength;
    ByteBuffer out = ByteBuffer.allocate(size);
    if (expiresAt != NEVER) {
      out.putLong(expiresAt);
    }
    if (key != null) {
      out.putInt(key.length).put(key);
    }
    return out.put(buffer, valueOffset, valueLength).array();
  }

  /**
   * Reads an envelope.
   *
   * @throws CorruptEntryException when the bytes are not an envelope of this format version
   */
  public static Envelope decode(int flags, byte[] data) {
    return decode(flags, data, data == null ? 0 : data.length);
  }

  /** Reads an envelope from the first {@code length} bytes of {@code data} (the rest is a seal). */
  public static Envelope decode(int flags, byte[] data, int length) {
    if ((flags & 0xFF) != FORMAT_VERSION) {
      throw new CorruptEntryException("format version " + (flags & 0xFF) + " is not " + FORMAT_VERSION);
    }
    if ((flags & ~KNOWN_FLAGS) != 0) {
      throw new CorruptEntryException("unknown flag bits " + Integer.toHexString(flags));
    }
    int header = ((flags & HAS_EXPIRY) != 0 ? 8 : 0) + ((flags & HAS_KEY) != 0 ? 4 : 0);
    if (data == null || length < header + 1) {
      throw new CorruptEntryException("entry shorter than its header");
    }
    ByteBuffer in = ByteBuffer.wrap(data, 0, length);
    long expiresAt = (flags & HAS_EXPIRY) != 0 ? in.getLong() : NEVER;
    if (expiresAt == NEVER && (flags & HAS_EXPIRY) != 0) {
      throw new CorruptEntryException("expiry field holds the never-expires marker");
    }
    byte[] key = null;
    if ((flags & HAS_KEY) != 0) {
      int keyLength = in.getInt();
      if (keyLength < 1 || keyLength > in.remaining() - 1) {
        throw new CorruptEntryException("bad embedded key length " + keyLength);
      }
      key = new byte[keyLength];
      in.get(key);
    }
    return new Envelope(expiresAt, key, data, in.position(), in.remaining());
  }
}
