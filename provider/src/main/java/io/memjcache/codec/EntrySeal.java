package io.memjcache.codec;

import io.memjcache.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Optional value integrity: an HMAC-SHA256 (truncated to 128 bits) over the memcached key, the
 * flags and the stored bytes, appended to the stored bytes and announced by {@link
 * Envelope#HAS_MAC}. With a secret configured, an entry without a valid seal (written by anyone
 * who lacks the secret, or moved from another key) is refused as corrupt: a miss, never a value.
 * The key is in the MAC so that a sealed entry copied under another key is refused too.
 */
public final class EntrySeal {

  public static final int MAC_LENGTH = 16;
  private static final String ALGORITHM = "HmacSHA256";

  /** No secret: nothing is sealed or checked. */
  public static final EntrySeal NONE = new EntrySeal(null);

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  private EntrySeal(SecretKeySpec key) {
    this.key = key;
    this.macs = key == null ? null : ThreadLocal.withInitial(this::newMac);
  }

  public static EntrySeal of(Secret secret) {
    return secret.isPresent() ? new EntrySeal(new SecretKeySpec(secret.bytes(), ALGORITHM)) : NONE;
  }

  public boolean isOn() {
    return key != null;
  }

  /** {@code data} with its seal appended; {@code flags} must already include {@link Envelope#HAS_MAC}. */
  public byte[] seal(String memcachedKey, int flags, byte[] data) {
    byte[] sealed = Arrays.copyOf(data, data.length + MAC_LENGTH);
    System.arraycopy(mac(memcachedKey, flags, data, data.length), 0, sealed, data.length, MAC_LENGTH);
    return sealed;
  }

  /**
   * Checks the seal of stored bytes and returns the length of what it covers.
   *
   * @throws CorruptEntryException when the entry is not sealed, or not with this secret for this key
   */
  public int open(String memcachedKey, int flags, byte[] data) {
    if ((flags & Envelope.HAS_MAC) == 0) {
      throw new CorruptEntryException("entry is not sealed, and memjcache.integrity.secret is set");
    }
    int length = data == null ? -1 : data.length - MAC_LENGTH;
    if (length < 0) {
      throw new CorruptEntryException("entry is shorter than its seal");
    }
    byte[] expected = mac(memcachedKey, flags, data, length);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(data, length, data.length))) {
      throw new CorruptEntryException("entry seal does not match (written without the secret, or under another key)");
    }
    return length;
  }

  private byte[] mac(String memcachedKey, int flags, byte[] data, int length) {
    Mac mac = macs.get();
    byte[] keyBytes = memcachedKey.getBytes(StandardCharsets.UTF_8);
    mac.update(new byte[] {
        (byte) (keyBytes.length >>> 8), (byte) keyBytes.length,
        (byte) (flags >>> 24), (byte) (flags >>> 16), (byte) (flags >>> 8), (byte) flags});
    mac.update(keyBytes);
    mac.update(data, 0, length);
    return Arrays.copyOf(mac.doFinal(), MAC_LENGTH);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return isOn() ? "EntrySeal[HmacSHA256]" : "EntrySeal[off]";
  }
}
