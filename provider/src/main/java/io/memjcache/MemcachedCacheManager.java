package io.memjcache;

import io.memjcache.cache.EntryAccess;
import io.memjcache.cache.EntryCodec;
import io.memjcache.cache.ManagerResources;
import io.memjcache.codec.DeserializationFilters;
import io.memjcache.codec.EntrySeal;
import io.memjcache.codec.KeyCodec;
import io.memjcache.codec.Serializer;
import io.memjcache.config.CacheSettings;
import io.memjcache.config.ClientSettings;
import io.memjcache.config.ManagerSettings;
import io.memjcache.expiry.ExpiryCalculator;
import io.memjcache.management.CacheConfigurationBean;
import io.memjcache.management.ClusterMembershipBean;
import io.memjcache.management.MBeanRegistrar.Kind;
import io.memjcache.management.MBeanRegistrar;
import io.memjcache.near.NearCache;
import io.memjcache.near.NearCacheStatisticsView;
import io.memjcache.spi.ValueSerializer;
import io.memjcache.store.NodeHealth;
import io.memjcache.store.NodeStatistics;
import io.memjcache.store.Store;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.Configuration;
import javax.cache.spi.CachingProvider;

/**
 * A CacheManager bound to one memcached cluster through one client, created on first use.
 *
 * <p>The registry of caches lives in this JVM: {@code createCache} of a name another JVM already
 * uses joins that cache's entries on the cluster (every node of an application calls {@code
 * createCache} at start-up); {@code destroyCache} removes the cache's entries from the cluster.
 *
 * <p>The provider keeps a manager reachable only through its class loader, and the manager's
 * client, threads and MXBeans live in {@link ManagerResources}, which a {@link Cleaner} releases
 * should the manager become unreachable without being closed: a web app redeployed without
 * closing its manager leaves no class loader, thread or MXBean behind.
 */
public class MemcachedCacheManager implements CacheManager {

  private final MemcachedCachingProvider provider;
  private final URI uri;
  private final WeakReference<ClassLoader> classLoader;
  private final Properties properties;
  private final ClientSettings settings;
  private final ManagerSettings managerSettings;
  private final EntrySeal seal;
  private final LongSupplier clock = System::currentTimeMillis;
  private final ConcurrentMap<String, MemcachedCache<?, ?>> caches = new ConcurrentHashMap<>();
  private final MBeanRegistrar mbeans;
  private final ManagerResources resources;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean closed;

  /** The JDK's cleaner thread holds no context class loader of ours or of any application. */
  private static final Cleaner CLEANER = Cleaner.create();

  MemcachedCacheManager(
      MemcachedCachingProvider provider,
      URI uri,
      ClassLoader classLoader,
      Properties properties,
      ManagerSettings settings) {
    this.provider = provider;
    this.uri = uri;
    this.classLoader = new WeakReference<>(classLoader);
    this.properties = properties;
    this.managerSettings = settings;
    this.settings = settings.client();
    this.seal = EntrySeal.of(this.settings.integritySecret());
    this.mbeans = new MBeanRegistrar(uri, MBeanRegistrar.loaderId(classLoader));
    this.resources = new ManagerResources(this.settings, clock, mbeans);
    this.cleanable = CLEANER.register(this, resources);
    ManagerResources held = resources; // the bean must not hold this manager
    mbeans.register(new ClusterMembershipBean(held::servers, held::changeServers, held::isMembershipSettled),
        Kind.CLUSTER_MEMBERSHIP, null);
  }

  /** Creates the caches the configuration file declares, with the JCache settings it gives them. */
  void createDeclaredCaches() {
    for (String name : managerSettings.declaredCaches()) {
      createCache(name, configured(name));
    }
  }

  /**
   * Cache {@code cacheName} as this manager's settings describe it: created, when it does not exist
   * yet, as a cache declared in a configuration file is, with the expiry, statistics and management
   * of its {@code memjcache.cache.<name>.*} settings (else {@code memjcache.cache.default.*}) from
   * any source (file, Properties, system properties). How frameworks that bind the settings
   * themselves (the Spring Boot starter) create the caches they name.
   */
  public Cache<Object, Object> getOrCreateConfiguredCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Cache<Object, Object> existing = getCache(cacheName);
    if (existing != null) {
      return existing;
    }
    try {
      return createCache(cacheName, configured(cacheName));
    } catch (CacheException e) {
      Cache<Object, Object> raced = getCache(cacheName); // created meanwhile by another thread
      if (raced != null) {
        return raced;
      }
      throw e;
    }
  }

  private MemcachedConfiguration<Object, Object> configured(String cacheName) {
    CacheSettings declared = managerSettings.cache(cacheName);
    MemcachedConfiguration<Object, Object> configuration = new MemcachedConfiguration<>();
    if (declared.expiry() != null) {
      configuration.setExpiryPolicyFactory(declared.expiry().toFactory());
    }
    configuration.setStatisticsEnabled(declared.statisticsEnabled());
    configuration.setManagementEnabled(declared.managementEnabled());
    return configuration;
  }

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader.get();
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  /** The resolved client settings of this manager. */
  public ClientSettings getSettings() {
    return settings;
  }

  /**
   * Changes the memcached nodes this manager's caches live on, without closing anything: {@code
   * servers} as {@code memjcache.servers} takes it ({@code host:port[*weight]}, comma separated).
   * New nodes are connected first (up to the connect timeout); from then on every call routes by
   * the new ring. Keys whose node changed read as misses where a copy might be stale until the
   * change settles ({@code memjcache.membership.settle} after the last change, then a clean-up in
   * the background). Every client of the cluster should apply the same change within the settle
   * time; see the README's "Changing the cluster". Also a JMX operation ({@code
   * io.memjcache:type=ClusterMembership}).
   *
   * @throws IllegalArgumentException if the list is empty or malformed (nothing changes then)
   */
  public void setServers(String servers) {
    requireOpen();
    Objects.requireNonNull(servers, "servers");
    resources.changeServers(servers);
  }

  /** The memcached nodes routed to now, as a {@code memjcache.servers} list in name order. */
  public String getServers() {
    requireOpen();
    return resources.servers();
  }

  /** False from a membership change until the keys that moved are ordinary keys again. */
  public boolean isMembershipSettled() {
    requireOpen();
    return resources.isMembershipSettled();
  }

  /**
   * What this manager sent to each memcached node of the current membership since it connected:
   * commands, errors, timeouts and the round trips of single-key calls (counters that only grow).
   */
  public List<NodeStatistics> nodeStatistics() {
    requireOpen();
    return resources.store().nodeStatistics();
  }

  /**
   * Checks every memcached node of the current membership with one round trip on this manager's
   * own connection, all nodes at once: for health checks.
   *
   * @param timeout how long to wait for each node
   */
  public List<NodeHealth> pingNodes(Duration timeout) {
    requireOpen();
    Objects.requireNonNull(timeout, "timeout");
    return resources.store().ping(timeout);
  }

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(configuration, "configuration");
    synchronized (caches) {
      if (caches.containsKey(cacheName)) {
        throw new CacheException("cache " + cacheName + " already exists in " + uri);
      }
      MemcachedCache<K, V> cache = newCache(cacheName, new MemcachedConfiguration<>(configuration));
      caches.put(cacheName, cache);
      if (cache.configuration().isManagementEnabled()) {
        mbeans.register(new CacheConfigurationBean(cache.configuration()), Kind.CONFIGURATION, cacheName);
      }
      if (cache.configuration().isStatisticsEnabled()) {
        registerStatistics(cache);
      }
      return cache;
    }
  }

  private <K, V> MemcachedCache<K, V> newCache(String cacheName, MemcachedConfiguration<K, V> configuration) {
    CacheSettings cacheSettings = managerSettings.cache(cacheName);
    List<String> allowlist = new ArrayList<>(settings.deserializationAllowlist());
    allowlist.addAll(cacheSettings.deserializationAllowlist());
    allowlist.addAll(configuration.getDeserializationAllowlist());
    Serializer serializer =
        new Serializer(
            getClassLoader(),
            DeserializationFilters.allowlist(
                List.of(configuration.getKeyType(), configuration.getValueType()), allowlist),
            valueSerializer(cacheName, cacheSettings.valueSerializer()));
    EntryCodec codec = new EntryCodec(cacheName, new KeyCodec(settings.namespace(), cacheName), serializer, seal);
    ExpiryCalculator expiry = new ExpiryCalculator(configuration.getExpiryPolicyFactory().create());
    NearCache<EntryAccess.NearCopy> near = cacheSettings.nearCacheEnabled()
        ? new NearCache<>(cacheSettings.nearCacheMaxEntries(), cacheSettings.nearCacheStaleness())
        : null;
    EntryAccess<V> access = new EntryAccess<>(
        cacheName, store(), codec, expiry, clock, settings.maxCasRetries(), settings.readFailureAsMiss(), near);
    return new MemcachedCache<>(
        cacheName, this, configuration, access, near == null ? null : near.statistics(), cacheSettings.loads(), this::runInBackground);
  }

  private ValueSerializer valueSerializer(String cacheName, String className) {
    if (className == null) {
      return null;
    }
    try {
      Class<?> type = Class.forName(className, true, getClassLoader());
      return (ValueSerializer) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      throw new CacheException(
          "cache " + cacheName + ": cannot use " + className + " as its serializer (memjcache.cache."
              + cacheName + ".serializer): it must be a " + ValueSerializer.class.getName()
              + " with a public no-argument constructor", e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    MemcachedCache<?, ?> cache = caches.get(cacheName);
    if (cache == null) {
      return null;
    }
    Configuration<?, ?> configuration = cache.configuration();
    if (configuration.getKeyType() != keyType || configuration.getValueType() != valueType) {
      throw new ClassCastException(
          "cache " + cacheName + " holds " + configuration.getKeyType().getName() + " -> "
              + configuration.getValueType().getName() + ", not " + keyType.getName() + " -> "
              + valueType.getName());
    }
    return (Cache<K, V>) cache;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    return (Cache<K, V>) caches.get(cacheName);
  }

  @Override
  public Iterable<String> getCacheNames() {
    requireOpen();
    return Set.copyOf(caches.keySet());
  }

  @Override
  public void destroyCache(String cacheName) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    MemcachedCache<?, ?> cache;
    synchronized (caches) {
      cache = caches.remove(cacheName);
    }
    if (cache != null) {
      unregisterBeans(cacheName);
      cache.shutdown();
      cache.deleteAllEntries();
    } else {
      // Not opened here, but destroy means the cache's entries leave the cluster.
      store().deleteWithPrefix(new KeyCodec(settings.namespace(), cacheName).prefix());
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    MemcachedCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      ((MemcachedConfiguration<?, ?>) cache.configuration()).setManagementEnabled(enabled);
      if (enabled) {
        mbeans.register(new CacheConfigurationBean(cache.configuration()), Kind.CONFIGURATION, cacheName);
      } else {
        mbeans.unregister(Kind.CONFIGURATION, cacheName);
      }
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    requireOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    MemcachedCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      ((MemcachedConfiguration<?, ?>) cache.configuration()).setStatisticsEnabled(enabled);
      cache.statistics().setEnabled(enabled);
      if (enabled) {
        registerStatistics(cache);
      } else {
        mbeans.unregister(Kind.STATISTICS, cacheName);
        mbeans.unregister(Kind.NEAR_CACHE_STATISTICS, cacheName);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (caches) {
      for (MemcachedCache<?, ?> cache : caches.values()) {
        unregisterBeans(cache.getName());
        cache.shutdown();
      }
      caches.clear();
    }
    cleanable.clean(); // client, threads and MXBeans, once
    provider.released(this);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap a cache manager to " + clazz.getName());
  }

  /** A cache closed itself: it leaves the registry (a later createCache re-creates it). */
  void released(MemcachedCache<?, ?> cache) {
    if (caches.remove(cache.getName(), cache)) {
      unregisterBeans(cache.getName());
    }
  }

  private void registerStatistics(MemcachedCache<?, ?> cache) {
    mbeans.register(cache.statistics(), Kind.STATISTICS, cache.getName());
    if (cache.nearCacheStatistics() != null) {
      // A weak view: the MBeanServer must not keep the near cache and its values alive.
      mbeans.register(new NearCacheStatisticsView(cache.nearCacheStatistics()), Kind.NEAR_CACHE_STATISTICS, cache.getName());
    }
  }

  private void unregisterBeans(String cacheName) {
    mbeans.unregister(Kind.CONFIGURATION, cacheName);
    mbeans.unregister(Kind.STATISTICS, cacheName);
    mbeans.unregister(Kind.NEAR_CACHE_STATISTICS, cacheName);
  }

  /** Runs {@code loadAll} work off the caller's thread, on daemon threads this manager owns. */
  private void runInBackground(Runnable task) {
    requireOpen();
    resources.runInBackground(task);
  }

  /** The manager's client, connected on first use so that an unused manager costs nothing. */
  Store store() {
    requireOpen();
    return resources.store();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("cache manager " + uri + " is closed");
    }
  }

  @Override
  public String toString() {
    return "MemcachedCacheManager[" + uri + ", servers=" + settings.servers() + "]";
  }
}
