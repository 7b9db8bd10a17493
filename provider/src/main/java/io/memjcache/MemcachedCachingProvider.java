package io.memjcache;

import io.memjcache.cache.PerClassLoader;
import io.memjcache.config.ClientSettingsResolver;
import io.memjcache.config.ManagerSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * The JCache provider for memcached, found through {@code META-INF/services}. It holds one {@link
 * MemcachedCacheManager} per (URI, ClassLoader) and no static state, so each class loader gets a
 * provider of its own.
 *
 * <p>The URI {@code memcached://host1:11211,host2:11211?namespace=shop} names the servers; a
 * {@code classpath:}, {@code file:} or {@code jar:} URI names a configuration file; any other URI
 * (such as {@link #getDefaultURI()}) uses the servers of the {@code memjcache.servers} property,
 * system property or {@code MEMJCACHE_SERVERS} environment variable, else {@code 127.0.0.1:11211}.
 *
 * <p>The managers of a class loader are kept alive by that loader alone ({@link PerClassLoader}):
 * an application that is undeployed without closing its managers leaves nothing here that keeps
 * its class loader; its managers are then cleaned up (client, threads, MXBeans) by a cleaner.
 */
public class MemcachedCachingProvider implements CachingProvider {

  private static final URI DEFAULT_URI = URI.create("memjcache:default");

  private final PerClassLoader<Map<URI, MemcachedCacheManager>> managers = new PerClassLoader<>(HashMap::new);
  private final ClientSettingsResolver resolver = new ClientSettingsResolver();

  @Override
  public synchronized CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Properties managerProperties = properties == null ? new Properties() : properties;
    Map<URI, MemcachedCacheManager> byUri = managers.get(loader);
    MemcachedCacheManager manager = byUri.get(managerUri);
    if (manager == null) {
      ManagerSettings settings;
      try {
        settings = resolver.resolve(managerUri, managerProperties, loader);
      } catch (IllegalArgumentException e) {
        throw new CacheException(
            "bad MemJCache configuration for " + ClientSettingsResolver.redact(managerUri) + ": " + e.getMessage(), e);
      }
      manager = new MemcachedCacheManager(this, managerUri, loader, managerProperties, settings);
      byUri.put(managerUri, manager);
      try {
        manager.createDeclaredCaches();
      } catch (RuntimeException e) {
        manager.close();
        throw e;
      }
    }
    return manager;
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : getClass().getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return DEFAULT_URI;
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    for (MemcachedCacheManager manager : snapshot(null)) {
      manager.close();
    }
  }

  @Override
  public void close(ClassLoader classLoader) {
    Objects.requireNonNull(classLoader, "classLoader");
    for (MemcachedCacheManager manager : snapshot(classLoader)) {
      manager.close();
    }
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(classLoader, "classLoader");
    MemcachedCacheManager manager;
    synchronized (this) {
      Map<URI, MemcachedCacheManager> byUri = managers.peek(classLoader);
      manager = byUri == null ? null : byUri.get(uri);
    }
    if (manager != null) {
      manager.close();
    }
  }

  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    // A remote store always copies: store-by-reference cannot be offered.
    return false;
  }

  /** A manager closed itself: it leaves the registry, so the next request makes a new one. */
  synchronized void released(MemcachedCacheManager manager) {
    ClassLoader loader = manager.getClassLoader();
    Map<URI, MemcachedCacheManager> byUri = loader == null ? null : managers.peek(loader);
    if (byUri != null) {
      byUri.remove(manager.getURI(), manager);
    }
  }

  private synchronized List<MemcachedCacheManager> snapshot(ClassLoader only) {
    List<MemcachedCacheManager> result = new ArrayList<>();
    if (only == null) {
      managers.all().forEach(byUri -> result.addAll(byUri.values()));
    } else {
      Map<URI, MemcachedCacheManager> byUri = managers.peek(only);
      if (byUri != null) {
        result.addAll(byUri.values());
      }
    }
    return result;
  }
}
