package io.memjcache.spring.boot;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.MemcachedCachingProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.JCacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.JCachePropertiesCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The JCache {@link CacheManager} of MemJCache, bound from {@code memjcache.*}: defined before
 * Boot's cache auto-configuration, which then wraps it as Spring's {@code cacheManager}. Creates
 * the caches named in {@code memjcache.caches} and {@code spring.cache.cache-names} with their
 * settings, then applies the application's {@link JCacheManagerCustomizer}s, as Boot's own JCache
 * support does. Backs off when the application defines its own {@code javax.cache.CacheManager} or
 * sets {@code spring.cache.type} to anything but {@code jcache}.
 */
@AutoConfiguration(before = CacheAutoConfiguration.class)
@ConditionalOnClass({Caching.class, MemcachedCachingProvider.class})
@ConditionalOnProperty(prefix = "spring.cache", name = "type", havingValue = "jcache", matchIfMissing = true)
@EnableConfigurationProperties(MemJCacheProperties.class)
public class MemJCacheAutoConfiguration {

  /**
   * Managers opened by this JVM's application contexts. The provider keeps one manager per URI and
   * class loader, so contexts sharing a class loader (a test suite's cached contexts) would share
   * one under a common URI: the second would silently get the first's settings, and lose its
   * manager when the first closed. Each gets a URI of its own instead.
   */
  private static final AtomicInteger MANAGERS = new AtomicInteger();

  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  CacheManager memjcacheCacheManager(MemJCacheProperties settings, Environment environment, ResourceLoader resources,
      ObjectProvider<JCachePropertiesCustomizer> propertiesCustomizers,
      ObjectProvider<JCacheManagerCustomizer> managerCustomizers) {
    Properties properties = settings.toProviderProperties();
    propertiesCustomizers.orderedStream().forEach(customizer -> customizer.customize(properties));
    ClassLoader classLoader = resources.getClassLoader();
    CachingProvider provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName(), classLoader);
    CacheManager manager = provider.getCacheManager(managerUri(environment, resources), classLoader,
        properties);
    try {
      MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
      for (String name : cacheNames(settings, environment)) {
        memcached.getOrCreateConfiguredCache(name);
      }
      managerCustomizers.orderedStream().forEach(customizer -> customizer.customize(manager));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    return manager;
  }

  /** {@code memjcache.caches} first, then the names of {@code spring.cache.cache-names}. */
  private static URI ownUri(Environment environment) {
    String application = environment.getProperty("spring.application.name", "application")
        .replaceAll("[^A-Za-z0-9._-]", "_");
    int number = MANAGERS.incrementAndGet();
    return URI.create("memjcache:spring." + application + (number == 1 ? "" : "." + number));
  }

  private static Set<String> cacheNames(MemJCacheProperties settings, Environment environment) {
    Set<String> names = new LinkedHashSet<>(settings.getCaches().keySet());
    names.addAll(Binder.get(environment).bind("spring.cache.cache-names", Bindable.listOf(String.class))
        .orElse(List.of()));
    return names;
  }

  /**
   * The file of {@code spring.cache.jcache.config} when it is set (still accepted: its values win
   * over {@code memjcache.*} properties; contexts naming the same file share its manager), else a
   * URI of this context's own, {@code memjcache:spring.<spring.application.name>} (then {@code .2},
   * {@code .3}, ... for later contexts in this JVM). It names the manager in JMX.
   */
  private static URI managerUri(Environment environment, ResourceLoader resources) {
    String location = environment.getProperty("spring.cache.jcache.config");
    if (location == null || location.isBlank()) {
      return ownUri(environment);
    }
    Resource resource = resources.getResource(location);
    if (!resource.exists()) {
      throw new IllegalArgumentException("spring.cache.jcache.config: no such resource " + location);
    }
    try {
      return resource.getURI();
    } catch (IOException e) {
      throw new UncheckedIOException("spring.cache.jcache.config: cannot resolve " + location, e);
    }
  }
}
