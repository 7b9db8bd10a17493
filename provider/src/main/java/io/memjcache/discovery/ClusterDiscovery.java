package io.memjcache.discovery;

import io.memjcache.config.DiscoverySettings;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A source of cluster membership: asked again and again by a {@link DiscoveryPoller}. Its {@code
 * toString()} names the source (never a secret) for messages.
 */
public interface ClusterDiscovery extends AutoCloseable {

  /**
   * The membership now.
   *
   * @throws IOException when the source cannot be read or answers something that is not a
   *     membership (the message names the source and never echoes more than a short prefix)
   */
  DiscoveredCluster discover() throws IOException;

  @Override
  default void close() {}

  /**
   * The source a {@code memjcache.discovery} value names: {@code dns:<name>:<port>} or {@code
   * elasticache:<host>:<port>}.
   *
   * @param timeout bound on one ElastiCache request (connect, send, read); DNS lookups are bounded
   *     by the system resolver instead
   * @throws IllegalArgumentException for anything else
   */
  static ClusterDiscovery from(String spec, Duration timeout) {
    return from(DiscoverySettings.parse(spec, DiscoverySettings.MIN_INTERVAL, "memjcache.discovery"), timeout);
  }

  /** The source {@code settings} names (its interval is the poller's business). */
  static ClusterDiscovery from(DiscoverySettings settings, Duration timeout) {
    Objects.requireNonNull(settings, "settings");
    return switch (settings.kind()) {
      case DNS -> new DnsDiscovery(settings.host(), settings.port());
      case ELASTICACHE -> new ElastiCacheDiscovery(settings.host(), settings.port(), timeout);
    };
  }
}
