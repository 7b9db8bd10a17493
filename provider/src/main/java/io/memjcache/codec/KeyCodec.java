package io.memjcache.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Maps a cache's keys to memcached keys: {@code <namespace>:<cache>:=<key>} for a String key made
 * only of {@code [A-Za-z0-9._-]} (readable in memcached tools, and no bigger than the key itself),
 * else {@code <namespace>:<cache>:<base64url(serialized key)>}.
 *
 * <p>The prefix keeps applications and caches apart and lets enumeration find one cache's keys.
 * When the result would pass memcached's 250-byte limit the key part becomes {@code
 * #<base64url(sha-256)>} and the serialized key travels in the {@link Envelope}, where reads check
 * it: a hash collision is then a miss, never another key's value.
 */
public final class KeyCodec {

  /** memcached's key length limit in bytes. */
  public static final int MAX_KEY_LENGTH = 250;

  private static final char HASHED = '#';
  private static final char PLAIN_STRING = '=';
  private static final int MAX_PREFIX_PART = 80;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final String prefix;

  public KeyCodec(String namespace, String cacheName) {
    this.prefix = escape(namespace) + ":" + escape(cacheName) + ":";
  }

  /** The prefix of every key of every cache in {@code namespace}. */
  public static String namespacePrefix(String namespace) {
    return escape(namespace) + ":";
  }

  /** Every memcached key of this cache starts with this. */
  public String prefix() {
    return prefix;
  }

  /**
   * A memcached key and whether the serialized key must be embedded in the stored value. {@code
   * serializedKey} is always there for a hashed key, and may be null otherwise. {@code localKey}
   * names the key in this JVM's tables (the near cache): the cache key itself when it is of an
   * immutable type whose equality is that of its serialized form, else its {@link SerializedKey}.
   */
  public record EncodedKey(String memcachedKey, byte[] serializedKey, boolean hashed, Object localKey) {}

  /**
   * A key of a mutable (or unknown) type, known locally by its memcached key: a copy the caller
   * cannot change, and never equal to a cache key itself.
   */
  public record SerializedKey(String memcachedKey) {}

  /**
   * The memcached key of a String key made only of {@code [A-Za-z0-9._-]} that fits verbatim, built
   * without serializing it (the hot path of most caches); null for any other String.
   */
  public EncodedKey encodePlain(String key) {
    int length = key.length();
    if (prefix.length() + 1 + length > MAX_KEY_LENGTH) {
      return null;
    }
    for (int i = 0; i < length; i++) {
      if (!isSafe(key.charAt(i))) {
        return null;
      }
    }
    return new EncodedKey(prefix + PLAIN_STRING + key, null, false, key);
  }

  /** The memcached key of any key, from its serialized form. */
  public EncodedKey encode(byte[] serializedKey) {
    return encodeSerialized(serializedKey, null);
  }

  /**
   * As {@link #encode(byte[])}, for {@code key}: its local name is {@code key} itself when
   * {@link ImmutableTypes#isLocalKey} says it may be shared.
   */
  public EncodedKey encode(Object key, byte[] serializedKey) {
    return encodeSerialized(serializedKey, ImmutableTypes.isLocalKey(key) ? key : null);
  }

  private EncodedKey encodeSerialized(byte[] serializedKey, Object localKey) {
    String verbatim = isPlainString(serializedKey)
        ? prefix + PLAIN_STRING + new String(serializedKey, 1, serializedKey.length - 1, StandardCharsets.US_ASCII)
        : prefix + ENCODER.encodeToString(serializedKey);
    if (verbatim.length() <= MAX_KEY_LENGTH) {
      return new EncodedKey(verbatim, serializedKey, false, localKey != null ? localKey : new SerializedKey(verbatim));
    }
    String hashed = prefix + HASHED + ENCODER.encodeToString(sha256(serializedKey));
    return new EncodedKey(hashed, serializedKey, true, localKey != null ? localKey : new SerializedKey(hashed));
  }

  /**
   * The serialized key of a memcached key of this cache, or null when it is hashed (then the key is
   * read from the value).
   */
  public byte[] serializedKeyOf(String memcachedKey) {
    if (!memcachedKey.startsWith(prefix)) {
      throw new CorruptEntryException("key " + memcachedKey + " is not in cache prefix " + prefix);
    }
    if (memcachedKey.length() > prefix.length() && memcachedKey.charAt(prefix.length()) == HASHED) {
      return null;
    }
    if (memcachedKey.length() > prefix.length() && memcachedKey.charAt(prefix.length()) == PLAIN_STRING) {
      byte[] chars = memcachedKey.substring(prefix.length() + 1).getBytes(StandardCharsets.US_ASCII);
      byte[] serialized = new byte[chars.length + 1];
      serialized[0] = Serializer.STRING;
      System.arraycopy(chars, 0, serialized, 1, chars.length);
      return serialized;
    }
    try {
      return DECODER.decode(memcachedKey.substring(prefix.length()));
    } catch (IllegalArgumentException e) {
      throw new CorruptEntryException("undecodable key " + memcachedKey, e);
    }
  }

  /** A serialized String whose characters memcached keys and their dumps keep as they are. */
  private static boolean isPlainString(byte[] serialized) {
    if (serialized.length == 0 || serialized[0] != Serializer.STRING) {
      return false;
    }
    for (int i = 1; i < serialized.length; i++) {
      if (!isSafe((char) (serialized[i] & 0xFF))) {
        return false;
      }
    }
    return true;
  }

  /** The characters a key keeps as they are: ASCII letters, digits, '.', '_' and '-'. */
  private static final boolean[] SAFE = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      SAFE[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }
  }

  private static boolean isSafe(char c) {
    return c < 128 && SAFE[c];
  }

  /** True when the key embedded in an envelope is the key we asked for. */
  public static boolean sameKey(byte[] embedded, byte[] expected) {
    return embedded != null && Arrays.equals(embedded, expected);
  }

  /**
   * Escapes a namespace or cache name to the characters memcached and its key dump keep intact;
   * a long name is replaced by its hash so every key keeps room for the key part.
   */
  static String escape(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if (isSafe(c)) {
        out.append(c);
      } else {
        out.append('~').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
      }
    }
    if (out.length() > MAX_PREFIX_PART) {
      return HASHED + ENCODER.encodeToString(sha256(name.getBytes(StandardCharsets.UTF_8)));
    }
    return out.toString();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
