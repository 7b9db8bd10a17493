package io.memjcache.flight;

import io.memjcache.MemcachedCachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

/**
 * The other JVM of the single-flight tests: {@code <servers> <namespace> <key> <threads>
 * <startAtEpochMillis>}. Its threads all ask for the key at the given instant; it prints one line
 * {@code RESULT <value> <waitMillis>} per thread and then {@code LOADS <n>}.
 */
public final class FlightWorkerMain {

  public static void main(String[] args) throws Exception {
    URI uri = URI.create("memcached://" + args[0] + "?namespace=" + args[1]);
    String key = args[2];
    int threads = Integer.parseInt(args[3]);
    long startAt = Long.parseLong(args[4]);
    try (CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName()).getCacheManager(uri, null)) {
      Cache<String, String> cache = manager.createCache("flight", SingleFlightTest.config());
      System.out.println("READY");
      System.out.flush();
      List<String> lines = SingleFlightTest.askAt(List.of(cache), key, threads, startAt);
      lines.forEach(System.out::println);
      System.out.println("LOADS " + CountingLoader.LOADS.get());
      System.out.flush();
    }
    System.exit(0);
  }
}
