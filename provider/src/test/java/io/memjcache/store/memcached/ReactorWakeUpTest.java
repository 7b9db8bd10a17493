package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression test for xmemcached's missed reactor wake-up: without {@link XMemcachedStore}'s
 * short session-check interval, about one operation in ten thousand on three nodes waited for
 * the selector's 1 s timeout, so a 500 ms operation timeout failed within this loop.
 */
class ReactorWakeUpTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  @Test
  void tensOfThousandsOfRoundTripsNeverHitTheOperationTimeout() {
    URI uri = URI.create("memcached://" + CLUSTER.serverList() + "?namespace=wakeup&operationTimeoutMillis=500");
    try (CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {})) {
      Cache<String, Integer> cache = manager.createCache("c", new MutableConfiguration<String, Integer>());
      int removed = 0;
      for (int i = 0; i < 12_000; i++) {
        String key = "k" + (i % 300);
        cache.put(key, i);
        if (cache.remove(key)) {
          removed++;
        }
      }
      assertEquals(12_000, removed);
    }
  }
}
