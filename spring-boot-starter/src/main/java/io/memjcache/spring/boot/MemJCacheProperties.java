package io.memjcache.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every MemJCache setting, bound from {@code memjcache.*} in {@code application.properties} or
 * YAML. An unset value leaves the provider's default (see {@code memjcache-reference.properties} in
 * the provider jar), except {@code memjcache.cache-defaults.statistics}, on here so that Spring's
 * cache meters count from the start. {@link #toProviderProperties()} turns them into the
 * CacheManager Properties the provider reads.
 */
@ConfigurationProperties("memjcache")
public class MemJCacheProperties {

  /**
   * memcached nodes: comma-separated host:port, optionally *weight (a node of weight 2 gets twice
   * the share of keys); IPv6 in brackets, [::1]:11211. Every client with the same list routes
   * every key to the same node. Default 127.0.0.1:11211.
   */
  private String servers;

  /**
   * Prefix of every stored key. Applications sharing a cluster use different namespaces; every
   * instance of one application uses the same one, so a cache name is one shared cache. Default
   * memjcache.
   */
  private String namespace;

  /** An operation on a node that takes longer fails with a CacheException naming the node. Default 2s. */
  private Duration operationTimeout;

  /** How long connecting to a node may take. Default 5s. */
  private Duration connectTimeout;

  /** Connections per node, 1 to 1024. Default 1. */
  private Integer connectionPoolSize;

  /**
   * fail-fast: operations on a dead node's keys fail at once with a CacheException naming it.
   * fail-over: a dead node's keys are served by the next node on the ring until it returns.
   * Default fail-fast.
   */
  private String failureMode;

  /** Bound on retries of a conditional operation (replace, invoke, ...) under contention. Default 100. */
  private Integer maxCasRetries;

  /**
   * Whether a read that fails (node down, timeout) answers a miss instead of throwing a
   * CacheException (a read-through cache then loads the value). Writes still fail. Default false.
   */
  private Boolean readFailureAsMiss;

  /** SASL PLAIN user name (memcached -S), with password; both or neither. */
  private String username;

  /** SASL PLAIN password; never logged. Prefer the environment variable MEMJCACHE_PASSWORD. */
  private String password;

  private final Deserialization deserialization = new Deserialization();

  private final Discovery discovery = new Discovery();

  private final Membership membership = new Membership();

  private final Integrity integrity = new Integrity();

  /** Settings of every cache that has no value of its own under memjcache.caches. */
  private final CacheSpec cacheDefaults = CacheSpec.defaults();

  /**
   * Caches by name, each created when the application starts with its settings (unset ones from
   * memjcache.cache-defaults). Names with dots go in brackets: memjcache.caches[com.acme.Product].expiry.
   */
  private final Map<String, CacheSpec> caches = new LinkedHashMap<>();

  /** Java deserialization of values read back. */
  public static class Deserialization {

    /**
     * Classes Java deserialization may create from values read back, for every cache, in
     * java.io.ObjectInputFilter syntax: com.acme.Order, com.acme.* (a package), com.acme.** (with
     * sub-packages), !com.acme.Secret to refuse. JDK value types and each cache's declared types
     * are allowed by default.
     */
    private String allowlist;

    public String getAllowlist() {
      return allowlist;
    }

    public void setAllowlist(String allowlist) {
      this.allowlist = allowlist;
    }
  }

  /** Discovering the nodes at run time instead of a fixed memjcache.servers. */
  public static class Discovery {

    /**
     * Where the nodes are discovered (setting both this and memjcache.servers is refused):
     * dns:NAME:PORT (every address of a name, e.g. a Kubernetes headless Service) or
     * elasticache:HOST:PORT (an ElastiCache or Memorystore configuration endpoint).
     */
    private String source;

    /**
     * Time between two discovery polls, 100ms to 1d; without discovery, how often configured host
     * names are resolved again. Default 10s.
     */
    private Duration interval;

    public String getSource() {
      return source;
    }

    public void setSource(String source) {
      this.source = source;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }

  /** Membership changes. */
  public static class Membership {

    /**
     * How long after a membership change the keys that moved are handled as moved (read as misses
     * where a copy may be stale); every instance must apply a change within it. Default 10s.
     */
    private Duration settle;

    public Duration getSettle() {
      return settle;
    }

    public void setSettle(Duration settle) {
      this.settle = settle;
    }
  }

  /** Value integrity. */
  public static class Integrity {

    /**
     * Secret of at least 16 bytes, the same on every instance: every entry is sealed with an
     * HMAC-SHA256 over its key and bytes, and entries without a valid seal are misses. Prefer the
     * environment variable MEMJCACHE_INTEGRITY_SECRET.
     */
    private String secret;

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }
  }

  /** The settings of one cache (or of every cache, as memjcache.cache-defaults). */
  public static class CacheSpec {

    /**
     * Expiry: eternal, or created, accessed, modified or touched, a colon and a duration
     * (created:10m, touched:30m). Default eternal.
     */
    private String expiry;

    /** Whether JCache statistics are kept (Spring's cache.gets and cache.puts meters read them). */
    private Boolean statistics;

    /** Whether the JCache CacheMXBean is registered. Default false. */
    private Boolean management;

    /**
     * Value serializer: "default" (strings, boxed primitives and byte[] compactly, anything else
     * by Java serialization behind the allowlist) or the class name of an
     * io.memjcache.spi.ValueSerializer with a public no-argument constructor.
     */
    private String serializer;

    /**
     * Whether read-through misses and invoke on an absent entry (Spring's @Cacheable(sync = true))
     * load once per key across the cluster while other callers wait for the value. Default true.
     */
    private Boolean singleFlight;

    /**
     * How long a load holds its key: callers elsewhere wait at most this long for a load whose JVM
     * died before one of them loads instead. At most 1d. Default 5s.
     */
    private Duration loadLease;

    private final NearCache nearCache = new NearCache();

    private final Deserialization deserialization = new Deserialization();

    static CacheSpec defaults() {
      CacheSpec defaults = new CacheSpec();
      defaults.statistics = Boolean.TRUE;
      return defaults;
    }

    public String getExpiry() {
      return expiry;
    }

    public void setExpiry(String expiry) {
      this.expiry = expiry;
    }

    public Boolean getStatistics() {
      return statistics;
    }

    public void setStatistics(Boolean statistics) {
      this.statistics = statistics;
    }

    public Boolean getManagement() {
      return management;
    }

    public void setManagement(Boolean management) {
      this.management = management;
    }

    public String getSerializer() {
      return serializer;
    }

    public void setSerializer(String serializer) {
      this.serializer = serializer;
    }

    public Boolean getSingleFlight() {
      return singleFlight;
    }

    public void setSingleFlight(Boolean singleFlight) {
      this.singleFlight = singleFlight;
    }

    public Duration getLoadLease() {
      return loadLease;
    }

    public void setLoadLease(Duration loadLease) {
      this.loadLease = loadLease;
    }

    public NearCache getNearCache() {
      return nearCache;
    }

    public Deserialization getDeserialization() {
      return deserialization;
    }

    /** Adds this cache's settings under {@code memjcache.cache.<section>.}. */
    void addTo(Properties properties, String section) {
      String prefix = "memjcache.cache." + section + ".";
      put(properties, prefix + "expiry", expiry);
      put(properties, prefix + "statistics", statistics);
      put(properties, prefix + "management", management);
      put(properties, prefix + "serializer", serializer);
      put(properties, prefix + "singleFlight", singleFlight);
      putDuration(properties, prefix + "loadLease", loadLease);
      put(properties, prefix + "nearCache.maxEntries", nearCache.maxEntries);
      putDuration(properties, prefix + "nearCache.staleness", nearCache.staleness);
      put(properties, prefix + "deserialization.allowlist", deserialization.allowlist);
    }
  }

  /** A cache's near cache: a bounded local table in front of memcached. */
  public static class NearCache {

    /** Entries kept in this JVM; 0 turns the near cache off. Default 0. */
    private Integer maxEntries;

    /**
     * The longest a near-cached entry is served without asking memcached: writes by other
     * instances are seen no later than this, this instance's own at once. Default 1s.
     */
    private Duration staleness;

    public Integer getMaxEntries() {
      return maxEntries;
    }

    public void setMaxEntries(Integer maxEntries) {
      this.maxEntries = maxEntries;
    }

    public Duration getStaleness() {
      return staleness;
    }

    public void setStaleness(Duration staleness) {
      this.staleness = staleness;
    }
  }

  /**
   * The CacheManager Properties for these settings, in the provider's own keys: only the values
   * that are set, so that the provider's defaults (and a configuration file, which takes
   * precedence over Properties) apply to the others.
   */
  public Properties toProviderProperties() {
    Properties properties = new Properties();
    put(properties, "memjcache.servers", servers);
    put(properties, "memjcache.namespace", namespace);
    putMillis(properties, "memjcache.operationTimeoutMillis", operationTimeout);
    putMillis(properties, "memjcache.connectTimeoutMillis", connectTimeout);
    put(properties, "memjcache.connectionPoolSize", connectionPoolSize);
    put(properties, "memjcache.failureMode", failureMode);
    put(properties, "memjcache.maxCasRetries", maxCasRetries);
    put(properties, "memjcache.readFailureAsMiss", readFailureAsMiss);
    put(properties, "memjcache.username", username);
    put(properties, "memjcache.password", password);
    put(properties, "memjcache.deserialization.allowlist", deserialization.allowlist);
    put(properties, "memjcache.discovery", discovery.source);
    putDuration(properties, "memjcache.discovery.interval", discovery.interval);
    putDuration(properties, "memjcache.membership.settle", membership.settle);
    put(properties, "memjcache.integrity.secret", integrity.secret);
    cacheDefaults.addTo(properties, "default");
    caches.forEach((name, spec) -> spec.addTo(properties, name));
    return properties;
  }

  private static void put(Properties properties, String key, Object value) {
    if (value != null) {
      properties.setProperty(key, value.toString());
    }
  }

  private static void putMillis(Properties properties, String key, Duration value) {
    if (value != null) {
      properties.setProperty(key, Long.toString(value.toMillis()));
    }
  }

  /** The provider's duration syntax; a negative duration goes through as such, to be refused there. */
  private static void putDuration(Properties properties, String key, Duration value) {
    if (value != null) {
      properties.setProperty(key, value.toMillis() + "ms");
    }
  }

  public String getServers() {
    return servers;
  }

  public void setServers(String servers) {
    this.servers = servers;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public Duration getOperationTimeout() {
    return operationTimeout;
  }

  public void setOperationTimeout(Duration operationTimeout) {
    this.operationTimeout = operationTimeout;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public Integer getConnectionPoolSize() {
    return connectionPoolSize;
  }

  public void setConnectionPoolSize(Integer connectionPoolSize) {
    this.connectionPoolSize = connectionPoolSize;
  }

  public String getFailureMode() {
    return failureMode;
  }

  public void setFailureMode(String failureMode) {
    this.failureMode = failureMode;
  }

  public Integer getMaxCasRetries() {
    return maxCasRetries;
  }

  public void setMaxCasRetries(Integer maxCasRetries) {
    this.maxCasRetries = maxCasRetries;
  }

  public Boolean getReadFailureAsMiss() {
    return readFailureAsMiss;
  }

  public void setReadFailureAsMiss(Boolean readFailureAsMiss) {
    this.readFailureAsMiss = readFailureAsMiss;
  }

  public String getUsername() {
    return username;
  }

  public void setUsername(String username) {
    this.username = username;
  }

  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
  }

  public Deserialization getDeserialization() {
    return deserialization;
  }

  public Discovery getDiscovery() {
    return discovery;
  }

  public Membership getMembership() {
    return membership;
  }

  public Integrity getIntegrity() {
    return integrity;
  }

  public CacheSpec getCacheDefaults() {
    return cacheDefaults;
  }

  public Map<String, CacheSpec> getCaches() {
    return caches;
  }
}
