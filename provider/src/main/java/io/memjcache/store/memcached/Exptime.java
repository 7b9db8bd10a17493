package io.memjcache.store.memcached;

import io.memjcache.store.Store;

/**
 * Converts an expiry instant in milliseconds to memcached's {@code exptime}: seconds, where 0 means
 * never and values above 30 days are absolute unix times. The result is rounded up and padded by a
 * second (memcached's clock ticks once a second), so the server never drops an entry before the
 * client considers it expired; JCache expiry itself is decided by the client.
 */
final class Exptime {

  static final long MAX_RELATIVE_SECONDS = 60L * 60 * 24 * 30;

  private Exptime() {}

  static int of(long expiresAt, long now) {
    if (expiresAt == Store.NEVER) {
      return 0;
    }
    long remainingMillis = Math.max(0, expiresAt - now);
    long seconds = (remainingMillis + 999) / 1000 + 1;
    if (seconds <= MAX_RELATIVE_SECONDS) {
      return (int) seconds;
    }
    long absolute = (expiresAt + 999) / 1000 + 1;
    // Past 2038 the 32-bit field overflows; "never" is then the only faithful bound.
    return absolute > Integer.MAX_VALUE ? 0 : (int) absolute;
  }
}
