package io.memjcache.store.memcached;

import javax.cache.CacheException;

/**
 * A memcached node cannot enumerate its keys: its {@code lru_crawler metadump} is disabled
 * ({@code -X}, {@code -o no_lru_crawler}) or its port speaks only the binary protocol (SASL,
 * {@code -S}). Callers that need the key set (iterator, {@code removeAll()}, {@code clear()})
 * can catch this to fall back or to report the limit.
 */
public final class KeyListingUnsupportedException extends CacheException {

  KeyListingUnsupportedException(String node, String reason) {
    super("Key enumeration needs memcached's lru_crawler metadump on the text protocol, but node "
        + node + " " + reason
        + " (is it started with -X, -o no_lru_crawler, or -S for SASL, which makes the port"
        + " binary-only?)");
  }
}
