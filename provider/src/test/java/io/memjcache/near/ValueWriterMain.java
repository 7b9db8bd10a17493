package io.memjcache.near;

import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * The second JVM of {@link NearCacheTwoJvmTest}: writes {@code count} values to one key, a gap
 * apart, and prints {@code WROTE <value> <epoch millis after the write returned>} for each.
 */
public final class ValueWriterMain {

  private ValueWriterMain() {}

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String cacheName = args[1];
    String key = args[2];
    int count = Integer.parseInt(args[3]);
    long gapMillis = Long.parseLong(args[4]);
    try (CacheManager manager = Caching.getCachingProvider().getCacheManager(uri, ValueWriterMain.class.getClassLoader())) {
      Cache<String, Integer> cache = manager.createCache(cacheName, new MutableConfiguration<String, Integer>());
      for (int value = 1; value <= count; value++) {
        Thread.sleep(gapMillis);
        cache.put(key, value);
        System.out.println("WROTE " + value + " " + System.currentTimeMillis());
        System.out.flush();
      }
    }
  }
}
