package io.memjcache.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a CacheManager learns its memcached nodes at run time ({@code memjcache.discovery}) and how
 * often it asks ({@code memjcache.discovery.interval}).
 *
 * @param kind the kind of source
 * @param host the DNS name (for {@link Kind#DNS}) or the configuration endpoint's host
 * @param port the memcached port of every discovered node (DNS) or the configuration endpoint's port
 * @param interval time between two polls
 */
public record DiscoverySettings(Kind kind, String host, int port, Duration interval) {

  /** The shortest interval accepted: a source is not to be hammered. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  /** The longest interval accepted: beyond a day a membership is no longer "discovered". */
  public static final Duration MAX_INTERVAL = Duration.ofDays(1);

  /** Sources of membership. */
  public enum Kind {
    /** A name resolving to one address per node (a Kubernetes headless Service). */
    DNS("dns"),
    /** The {@code config get cluster} command of AWS ElastiCache or Google Memorystore. */
    ELASTICACHE("elasticache");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** The setting's prefix, e.g. {@code dns}. */
    public String prefix() {
      return prefix;
    }
  }

  public DiscoverySettings {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(interval, "interval");
    // Validates host and port as a server address does (no user info, IPv6 in canonical form).
    ServerAddress address = new ServerAddress(host, port, 1);
    host = address.host();
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException("discovery interval must be from 100ms to 1d: " + interval);
    }
  }

  /**
   * Parses {@code dns:<name>:<port>} or {@code elasticache:<host>:<port>} (an IPv6 host in
   * brackets); the port is required. Anything else is refused naming {@code key}.
   */
  public static DiscoverySettings parse(String text, Duration interval, String key) {
    if (text.indexOf('@') >= 0) {
      // user:password@host: not echoed, it may hold a password.
      throw new IllegalArgumentException(key + " may not carry user info (user:password@host)");
    }
    String spec = text.trim();
    int colon = spec.indexOf(':');
    Kind kind = null;
    if (colon > 0) {
      String prefix = spec.substring(0, colon).toLowerCase(Locale.ROOT);
      for (Kind k : Kind.values()) {
        if (k.prefix.equals(prefix)) {
          kind = k;
        }
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException(
          "bad value '" + text + "' for " + key + ": expected dns:<name>:<port> or elasticache:<host>:<port>"
              + " (empty: the static memjcache.servers list)");
    }
    String target = spec.substring(colon + 1);
    if (target.indexOf('*') >= 0 || !target.matches(".*[^:\\]]:\\d+") && !target.matches("\\[.*]:\\d+")) {
      throw new IllegalArgumentException(
          "bad value '" + text + "' for " + key + ": expected " + kind.prefix + ":<host>:<port>, the port is required"
              + " (no weight)");
    }
    ServerAddress address;
    try {
      address = ServerAddress.parse(target);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad value '" + text + "' for " + key + ": " + e.getMessage(), e);
    }
    return new DiscoverySettings(kind, address.host(), address.port(), interval);
  }

  /** The source as written in the setting, e.g. {@code dns:memcached.shop.svc:11211}. */
  public String source() {
    return kind.prefix + ":" + new ServerAddress(host, port, 1).name();
  }

  @Override
  public String toString() {
    return source() + " every " + interval.toMillis() + "ms";
  }
}
