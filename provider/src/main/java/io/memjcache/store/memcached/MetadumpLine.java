package io.memjcache.store.memcached;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;

/**
 * Reads the fields we need from one item line of {@code lru_crawler metadump}:
 * {@code key=<uri-encoded key> exp=<unix seconds or -1> la=... cas=... fetch=... cls=... size=...}.
 * The line is expected as ISO-8859-1 text, so that each char is exactly one byte of the wire.
 */
final class MetadumpLine {

  /** {@link #exp} of an item that never expires (memcached lists exptime 0 as {@code exp=-1}). */
  static final long NEVER = -1;

  private static final String KEY_FIELD = "key=";
  private static final String EXP_FIELD = " exp=";

  private MetadumpLine() {}

  static boolean isItem(String line) {
    return line.startsWith(KEY_FIELD);
  }

  /** The decoded key, or null when its bytes are not UTF-8 (no String key can address it). */
  static String key(String line) {
    return decode(line, KEY_FIELD.length(), keyEnd(line));
  }

  /**
   * Whether the decoded key's bytes start with {@code prefix}, decoding only as far as needed:
   * most lines of a dump belong to other caches, and this rejects them without allocating.
   */
  static boolean keyStartsWith(String line, byte[] prefix) {
    int end = keyEnd(line);
    int i = KEY_FIELD.length();
    for (byte expected : prefix) {
      if (i >= end) {
        return false;
      }
      int b = line.charAt(i);
      int hi;
      int lo;
      if (b == '%' && i + 2 < end
          && (hi = hex(line.charAt(i + 1))) >= 0 && (lo = hex(line.charAt(i + 2))) >= 0) {
        b = hi << 4 | lo;
        i += 3;
      } else {
        i++;
      }
      if ((byte) b != expected) {
        return false;
      }
    }
    return true;
  }

  private static int keyEnd(String line) {
    int end = line.indexOf(' ');
    return end < 0 ? line.length() : end;
  }

  /**
   * The item's expiry in unix seconds, or {@link #NEVER} when it is -1, missing or unreadable:
   * listing a key too many is harmless to callers, missing one is not.
   */
  static long exp(String line) {
    int at = line.indexOf(EXP_FIELD);
    if (at < 0) {
      return NEVER;
    }
    int start = at + EXP_FIELD.length();
    int end = line.indexOf(' ', start);
    try {
      return Long.parseLong(line, start, end < 0 ? line.length() : end, 10);
    } catch (NumberFormatException e) {
      return NEVER;
    }
  }

  /**
   * Percent-decodes {@code s[from, to)} into UTF-8. memcached 1.6 encodes every byte except
   * {@code [A-Za-z0-9-._~]} as {@code %XX}, so '+' arrives as {@code %2B} and a space as
   * {@code %20}; a literal '+' therefore stays a plus (unlike {@link java.net.URLDecoder}), and a
   * '%' not followed by two hex digits is kept as it is.
   */
  static String decode(String s, int from, int to) {
    if (isPlainAscii(s, from, to)) {
      return s.substring(from, to); // the common case: nothing to decode
    }
    byte[] bytes = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int hi;
      int lo;
      if (c == '%' && i + 2 < to
          && (hi = hex(s.charAt(i + 1))) >= 0 && (lo = hex(s.charAt(i + 2))) >= 0) {
        bytes[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else {
        bytes[n++] = (byte) c;
      }
    }
    if (isAscii(bytes, n)) {
      return new String(bytes, 0, n, US_ASCII); // no validation needed, and much cheaper
    }
    try {
      // newDecoder() reports malformed input instead of silently replacing it with U+FFFD.
      return UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isPlainAscii(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(byte[] bytes, int n) {
    for (int i = 0; i < n; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
