package io.memjcache.store.memcached;

import io.memjcache.codec.KeyCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One key's quiet binary command in a {@link QuietBatch}: {@code setq} (with a CAS when the write
 * is conditional) or {@code deleteq}. Encoded by hand straight into the batch's buffer, so a value
 * is copied once on its way to the socket (xmemcached's own commands would each allocate and fill
 * a buffer that the batch then copies again).
 *
 * <p>Request layout (memcached binary protocol): a 24-byte header (magic 0x80, opcode, key length,
 * extras length, data type, vbucket, total body length, opaque, cas), then the extras (a set's
 * flags and expiration time), the key and the value.
 */
record QuietCommand(String key, byte[] keyBytes, byte opcode, int flags, int exptime, long cas, byte[] data) {

  static final int HEADER = 24;
  private static final byte REQUEST_MAGIC = (byte) 0x80;
  private static final byte SETQ = 0x11;
  private static final byte DELETEQ = 0x14;
  private static final int SET_EXTRAS = 8;

  QuietCommand {
    if (keyBytes.length == 0 || keyBytes.length > KeyCodec.MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a memcached key has 1 to " + KeyCodec.MAX_KEY_LENGTH + " bytes, not " + keyBytes.length + ": " + key);
    }
  }

  /** A quiet set; {@code cas} 0 stores unconditionally, else only over that version. */
  static QuietCommand set(String key, int flags, int exptime, long cas, byte[] data) {
    return new QuietCommand(key, key.getBytes(StandardCharsets.UTF_8), SETQ, flags, exptime, cas, data);
  }

  /** A quiet delete; {@code cas} 0 deletes whatever is there, else only that version. */
  static QuietCommand delete(String key, long cas) {
    return new QuietCommand(key, key.getBytes(StandardCharsets.UTF_8), DELETEQ, 0, 0, cas, null);
  }

  private int extrasLength() {
    return opcode == SETQ ? SET_EXTRAS : 0;
  }

  private int bodyLength() {
    return extrasLength() + keyBytes.length + (data == null ? 0 : data.length);
  }

  /** The bytes this command takes on the wire. */
  int encodedLength() {
    return HEADER + bodyLength();
  }

  /** Writes this command, tagged {@code opaque}, at {@code out}'s position. */
  void encodeInto(ByteBuffer out, int opaque) {
    putHeader(out, opcode, keyBytes.length, extrasLength(), bodyLength(), opaque, cas);
    if (opcode == SETQ) {
      out.putInt(flags).putInt(exptime);
    }
    out.put(keyBytes);
    if (data != null) {
      out.put(data);
    }
  }

  /** Writes a request header (data type and vbucket 0) at {@code out}'s position. */
  static void putHeader(ByteBuffer out, byte opcode, int keyLength, int extrasLength, int bodyLength, int opaque, long cas) {
    out.put(REQUEST_MAGIC).put(opcode).putShort((short) keyLength).put((byte) extrasLength)
        .put((byte) 0).putShort((short) 0).putInt(bodyLength).putInt(opaque).putLong(cas);
  }
}
