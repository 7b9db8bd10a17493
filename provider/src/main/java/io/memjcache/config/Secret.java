package io.memjcache.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A secret setting (the integrity key): its bytes are handed out only to the code that uses them,
 * and it prints as {@code ******} wherever settings are logged or shown.
 */
public final class Secret {

  /** No secret configured. */
  public static final Secret NONE = new Secret(new byte[0]);

  private final byte[] bytes;

  private Secret(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The UTF-8 bytes of {@code text}; empty text is {@link #NONE}. */
  public static Secret of(String text) {
    return text == null || text.isEmpty() ? NONE : new Secret(text.getBytes(StandardCharsets.UTF_8));
  }

  public boolean isPresent() {
    return bytes.length > 0;
  }

  public int length() {
    return bytes.length;
  }

  /** A copy of the secret's bytes. */
  public byte[] bytes() {
    return Arrays.copyOf(bytes, bytes.length);
  }

  @Override
  public String toString() {
    return isPresent() ? "******" : "(none)";
  }
}
