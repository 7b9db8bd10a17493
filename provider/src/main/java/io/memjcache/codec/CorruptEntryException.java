package io.memjcache.codec;

/**
 * Bytes under one of our keys that we cannot read: garbage, another format version, a truncated
 * or foreign value. The cache treats such an entry as a miss and logs a warning.
 */
public class CorruptEntryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorruptEntryException(String message) {
    super(message);
  }

  public CorruptEntryException(String message, Throwable cause) {
    super(message, cause);
  }
}
