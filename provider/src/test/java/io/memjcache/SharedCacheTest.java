package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cache name is one cache on the cluster, shared by every CacheManager ("JVM") that opens it. */
class SharedCacheTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static MutableConfiguration<String, Integer> counters() {
    return new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class);
  }

  @Test
  void twoClientsRacingOnReplaceLoseNoIncrement() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    CacheManager first = ClusterCaches.newManager(CLUSTER, namespace);
    CacheManager second = ClusterCaches.newManager(CLUSTER, namespace);
    assertNotSame(first, second);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      Cache<String, Integer> a = first.createCache("counters", counters());
      Cache<String, Integer> b = second.createCache("counters", counters());
      a.put("hits", 0);
      int perThread = 60;
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        Cache<String, Integer> cache = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            while (true) {
              Integer current = cache.get("hits");
              if (cache.replace("hits", current, current + 1)) {
                break;
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
      assertEquals(16 * perThread, a.get("hits"));
      assertEquals(16 * perThread, b.get("hits"));
    } finally {
      pool.shutdownNow();
      first.close();
      second.close();
    }
  }

  @Test
  void secondCreateCacheJoinsAndDestroyEmpties() {
    String namespace = ClusterCaches.uniqueNamespace();
    CacheManager first = ClusterCaches.newManager(CLUSTER, namespace);
    CacheManager second = ClusterCaches.newManager(CLUSTER, namespace);
    try {
      Cache<String, Integer> a = first.createCache("shared", counters());
      a.put("x", 1);
      Cache<String, Integer> b = second.createCache("shared", counters());
      assertEquals(1, b.get("x"), "createCache in a second JVM joins the existing cache");
      b.put("y", 2);
      assertEquals(2, a.get("y"));

      first.destroyCache("shared");
      assertNull(b.get("x"), "destroyCache removes the entries from the cluster");
      Cache<String, Integer> again = first.createCache("shared", counters());
      assertFalse(again.iterator().hasNext(), "a re-created cache starts empty");
      assertThrows(CacheException.class, () -> first.createCache("shared", counters()));
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void unreachableNodeIsNamedWithinTheTimeout() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    URI uri = URI.create("memcached://127.0.0.1:" + deadPort + "?namespace=dead&operationTimeoutMillis=500&connectTimeoutMillis=500");
    CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {});
    try {
      Cache<String, Integer> cache = manager.createCache("c", counters());
      long start = System.nanoTime();
      CacheException e = assertThrows(CacheException.class, () -> cache.put("k", 1));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(e.getMessage().contains("127.0.0.1:" + deadPort), e.getMessage());
      assertTrue(millis < 3000, "failed after " + millis + " ms");
    } finally {
      manager.close();
    }
  }

  @Test
  void providerIsPerClassLoaderAndManagersPerUri() {
    ClassLoader one = new ClassLoader(getClass().getClassLoader()) {};
    var provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
    URI uri = ClusterCaches.uri(CLUSTER, "p");
    CacheManager m1 = provider.getCacheManager(uri, one);
    try {
      assertEquals(m1, provider.getCacheManager(uri, one));
      CacheManager m2 = provider.getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {});
      assertNotSame(m1, m2);
      m2.close();
      assertThrows(IllegalStateException.class, () -> m2.createCache("x", counters()));
    } finally {
      m1.close();
    }
  }

  @Test
  void badConfigurationFailsAtGetCacheManagerNamingTheKey() {
    var provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
    CacheException e = assertThrows(CacheException.class,
        () -> provider.getCacheManager(URI.create("memcached://127.0.0.1:1?opTimeout=5"), getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("opTimeout"), e.getMessage());
  }
}
