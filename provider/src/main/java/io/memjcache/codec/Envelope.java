package io.memjcache.codec;

import java.nio.ByteBuffer;

/**
 * The value stored under one of our keys: creation and expiry times in epoch milliseconds, the
 * serialized value and, for keys too long to store verbatim, the serialized key.
 *
 * <p>Wire format (memcached's 32-bit flags carry the format version and the flag bits, so they cost
 * nothing in the item):
 *
 * <pre>
 *   flags: bits 0-7 format version (1), bit 8 {@link #HAS_KEY}
 *   data:  createdAt(8) expiresAt(8) [keyLength(4) key] value
 * </pre>
 *
 * {@code expiresAt} is {@link Long#MAX_VALUE} for an entry that never expires.
 */
public record Envelope(long createdAt, long expiresAt, byte[] key, byte[] value) {

  public static final int FORMAT_VERSION = 1;
  public static final int HAS_KEY = 1 << 8;
  public static final long NEVER = Long.MAX_VALUE;
  private static final int HEADER = 16;

  public boolean isExpiredAt(long now) {
    return expiresAt <= now;
  }

  public Envelope withExpiresAt(long newExpiresAt) {
    return new Envelope(createdAt, newExpiresAt, key, value);
  }

  public int flags() {
    return FORMAT_VERSION | (key != null ? HAS_KEY : 0);
  }

  public byte[] encode() {
    int size = HEADER + (key != null ? 4 + key.length : 0) + value.length;
    ByteBuffer out = ByteBuffer.allocate(size).putLong(createdAt).putLong(expiresAt);
    if (key != null) {
      out.putInt(key.length).put(key);
    }
    return out.put(value).array();
  }

  /**
   * Reads an envelope.
   *
   * @throws CorruptEntryException when the bytes are not an envelope of this format version
   */
  public static Envelope decode(int flags, byte[] data) {
    if ((flags & 0xFF) != FORMAT_VERSION) {
      throw new CorruptEntryException("format version " + (flags & 0xFF) + " is not " + FORMAT_VERSION);
    }
    if ((flags & ~(0xFF | HAS_KEY)) != 0) {
      throw new CorruptEntryException("unknown flag bits " + Integer.toHexString(flags));
    }
    if (data == null || data.length < HEADER + 1) {
      throw new CorruptEntryException("entry shorter than its header");
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    long createdAt = in.getLong();
    long expiresAt = in.getLong();
    byte[] key = null;
    if ((flags & HAS_KEY) != 0) {
      int keyLength = in.getInt();
      if (keyLength < 1 || keyLength > in.remaining() - 1) {
        throw new CorruptEntryException("bad embedded key length " + keyLength);
      }
      key = new byte[keyLength];
      in.get(key);
    }
    byte[] value = new byte[in.remaining()];
    in.get(value);
    return new Envelope(createdAt, expiresAt, key, value);
  }
}
