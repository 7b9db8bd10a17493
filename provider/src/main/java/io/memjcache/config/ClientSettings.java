package io.memjcache.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one CacheManager's memcached client, resolved from the CacheManager URI, its
 * {@code Properties}, system properties and the environment (see {@link ClientSettingsResolver}).
 *
 * @param servers the memcached nodes, each with its configured {@code host:port} name and weight
 * @param namespace prefix of every key this application stores, so applications sharing a cluster
 *     never see each other's entries
 * @param operationTimeout how long one memcached operation may take before it fails
 * @param connectTimeout how long connecting to a node may take
 * @param connectionPoolSize connections per node
 * @param failureMode what happens to a dead node's keys
 * @param deserializationAllowlist {@link java.io.ObjectInputFilter} patterns of classes that may be
 *     read back by Java deserialization, on top of the JDK value types always allowed
 * @param maxCasRetries bound on read-modify-write retries under contention
 * @param readFailureAsMiss whether a read that fails (node down, timeout) is a miss rather than a
 *     {@code CacheException}: reads then degrade to the loader or the database
 * @param integritySecret the key that seals every entry (HMAC), or {@link Secret#NONE}; it prints
 *     as {@code ******}
 * @param username SASL PLAIN user name, or empty for no authentication
 * @param password SASL PLAIN password ({@link Secret#NONE} without authentication); prints as
 *     {@code ******}
 * @param membershipSettle how long after a membership change the keys that moved are handled as
 *     moved (extra misses, never a stale copy) before the change's clean-up: the window within which
 *     every client must apply the same change
 * @param discovery where the nodes are discovered at run time, or {@code null} for the static
 *     {@code servers}; with discovery, {@code servers} is empty (the first answer of the source is
 *     the membership)
 * @param discoveryInterval time between two polls of the discovery source or, without discovery,
 *     between two resolutions of the configured host names
 */
public record ClientSettings(
    List<ServerAddress> servers,
    String namespace,
    Duration operationTimeout,
    Duration connectTimeout,
    int connectionPoolSize,
    FailureMode failureMode,
    List<String> deserializationAllowlist,
    int maxCasRetries,
    boolean readFailureAsMiss,
    Secret integritySecret,
    String username,
    Secret password,
    Duration membershipSettle,
    DiscoverySettings discovery,
    Duration discoveryInterval) {

  /** Whether the membership is discovered at run time rather than the static {@link #servers()}. */
  public boolean discovers() {
    return discovery != null;
  }

  /** Whether the client authenticates (SASL PLAIN). */
  public boolean authenticates() {
    return !username.isEmpty();
  }

  /** The smallest integrity secret accepted, in bytes. */
  public static final int MIN_SECRET_LENGTH = 16;

  public ClientSettings {
    Objects.requireNonNull(integritySecret, "integritySecret");
    username = username == null ? "" : username;
    Objects.requireNonNull(password, "password");
    if (username.isEmpty() != !password.isPresent()) {
      throw new IllegalArgumentException(
          "memjcache.username and memjcache.password go together: set both for SASL authentication, or neither");
    }
    if (integritySecret.isPresent() && integritySecret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException(
          "memjcache.integrity.secret is too short: at least " + MIN_SECRET_LENGTH + " bytes are required");
    }
    Objects.requireNonNull(servers, "servers");
    if (discovery == null && servers.isEmpty()) {
      throw new IllegalArgumentException("at least one memcached server is required");
    }
    if (discovery != null && !servers.isEmpty()) {
      throw new IllegalArgumentException(
          "memjcache.servers and memjcache.discovery exclude each other: the discovered nodes are the membership");
    }
    servers = List.copyOf(servers);
    deserializationAllowlist = List.copyOf(deserializationAllowlist);
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(failureMode, "failureMode");
    if (operationTimeout.isNegative() || operationTimeout.isZero()) {
      throw new IllegalArgumentException("operation timeout must be positive: " + operationTimeout);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout must be positive: " + connectTimeout);
    }
    if (connectionPoolSize < 1) {
      throw new IllegalArgumentException("connection pool size must be >= 1: " + connectionPoolSize);
    }
    Objects.requireNonNull(discoveryInterval, "discoveryInterval");
    Objects.requireNonNull(membershipSettle, "membershipSettle");
    if (membershipSettle.isNegative()) {
      throw new IllegalArgumentException("membership settle time must not be negative: " + membershipSettle);
    }
    if (maxCasRetries < 1) {
      throw new IllegalArgumentException("max CAS retries must be >= 1: " + maxCasRetries);
    }
  }

  /** What a client does with the keys of a node it cannot reach. */
  public enum FailureMode {
    /** Operations on a dead node's keys fail with a {@code CacheException} naming the node. */
    FAIL_FAST,
    /** A dead node's keys are served by the next node on the ring until it returns. */
    FAIL_OVER
  }
}
