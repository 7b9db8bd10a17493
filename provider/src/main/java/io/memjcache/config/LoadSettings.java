package io.memjcache.config;

import java.time.Duration;

/**
 * How one cache loads missing entries through its read-through loader.
 *
 * @param singleFlight one load per key at a time across the cluster: other callers wait for it
 *     ({@code memjcache.cache.<name>.singleFlight}, default true)
 * @param lease how long a load holds its key before another caller may take over
 *     ({@code memjcache.cache.<name>.loadLease}, default 5 s)
 */
public record LoadSettings(boolean singleFlight, Duration lease) {

  public LoadSettings {
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("loadLease must be positive: " + lease);
    }
  }
}
