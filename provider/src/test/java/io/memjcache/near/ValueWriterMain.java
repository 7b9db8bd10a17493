package io.memjcache.near;

import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * The second JVM of {@link NearCacheTwoJvmTest}: runs a list of writes on one key, a gap apart —
 * {@code 7} puts the value 7, {@code -} removes the key — and prints {@code DONE <index> <op>
 * <epoch millis after the write returned>} for each (index from 1).
 */
public final class ValueWriterMain {

  private ValueWriterMain() {}

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String cacheName = args[1];
    String key = args[2];
    String[] operations = args[3].split(",");
    long gapMillis = Long.parseLong(args[4]);
    try (CacheManager manager = Caching.getCachingProvider().getCacheManager(uri, ValueWriterMain.class.getClassLoader())) {
      Cache<String, Integer> cache = manager.createCache(cacheName, new MutableConfiguration<String, Integer>());
      for (int index = 1; index <= operations.length; index++) {
        Thread.sleep(gapMillis);
        String operation = operations[index - 1];
        if (operation.equals("-")) {
          if (!cache.remove(key)) {
            throw new IllegalStateException("remove #" + index + " found no entry");
          }
        } else {
          cache.put(key, Integer.parseInt(operation));
        }
        System.out.println("DONE " + index + " " + operation + " " + System.currentTimeMillis());
        System.out.flush();
      }
    }
  }
}
