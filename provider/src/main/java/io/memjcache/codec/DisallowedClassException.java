package io.memjcache.codec;

/**
 * A value read from memcached names a class outside the cache's deserialization allowlist. It is
 * never instantiated; the entry is treated as unreadable.
 */
public final class DisallowedClassException extends CorruptEntryException {
  private static final long serialVersionUID = 1L;

  public DisallowedClassException(String message, Throwable cause) {
    super(message, cause);
  }
}
