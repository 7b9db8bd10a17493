package io.memjcache.leakapp;

import java.net.URI;
import java.util.Properties;
import java.util.function.BiFunction;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/**
 * A web app in miniature, defined by a throwaway class loader of {@code ClassLoaderReleaseTest}: it
 * runs as an app server runs one (its loader as the thread's context loader, an inheritable
 * thread-local holding one of its objects), opens a CacheManager on the default class loader,
 * creates caches with statistics, management and a near cache, stores and reads its own value
 * class, and then closes its manager or not.
 */
public final class LeakApp implements BiFunction<String, Boolean, String> {

  private static final InheritableThreadLocal<Object> REQUEST = new InheritableThreadLocal<>();

  @Override
  public String apply(String uri, Boolean close) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(getClass().getClassLoader());
    REQUEST.set(new LeakValue("request"));
    try {
      CachingProvider provider = Caching.getCachingProvider("io.memjcache.MemcachedCachingProvider");
      Properties properties = new Properties();
      properties.setProperty("memjcache.deserialization.allowlist", "io.memjcache.leakapp.**");
      properties.setProperty("memjcache.cache.default.nearCache.maxEntries", "100");
      CacheManager manager = provider.getCacheManager(URI.create(uri), provider.getDefaultClassLoader(), properties);
      MutableConfiguration<String, Object> untyped = new MutableConfiguration<String, Object>()
          .setStatisticsEnabled(true).setManagementEnabled(true);
      if (close) {
        // Classes of the app in the cache's configuration: only closing can release them.
        untyped.addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(LeakListener.class), null, false, false));
      }
      Cache<String, Object> cache = manager.createCache("app", untyped);
      int read = 0;
      for (int i = 0; i < 50; i++) {
        cache.put("k" + i, new LeakValue("v" + i));
        if (new LeakValue("v" + i).equals(cache.get("k" + i))) {
          read++;
        }
      }
      String result = "read " + read;
      if (close) {
        manager.close();
      }
      return result;
    } finally {
      REQUEST.remove();
      thread.setContextClassLoader(previous);
    }
  }
}
