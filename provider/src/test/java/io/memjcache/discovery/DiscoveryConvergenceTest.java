package io.memjcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two CacheManagers polling one ElastiCache-style configuration endpoint (served in the test; the
 * nodes it names are real memcached processes): both start on its node list, both follow a new
 * version within one interval, an older version is ignored, and they route every key alike
 * before and after (what one writes the other reads).
 */
class DiscoveryConvergenceTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final long INTERVAL_MILLIS = 500;

  private static CacheManager manager(ElastiCacheEndpoint endpoint, String namespace, String name) {
    Properties properties = new Properties();
    properties.setProperty("memjcache.discovery", endpoint.spec());
    properties.setProperty("memjcache.discovery.interval", INTERVAL_MILLIS + "ms");
    properties.setProperty("memjcache.namespace", namespace);
    properties.setProperty("memjcache.operationTimeoutMillis", "500");
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(URI.create("memjcache:" + name), new ClassLoader(DiscoveryConvergenceTest.class.getClassLoader()) {}, properties);
  }

  private static Cache<String, String> cache(CacheManager manager) {
    return manager.createCache("c", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
  }

  @Test
  void twoManagersPollingOneEndpointConvergeWithinOneInterval() throws Exception {
    // Sorted: a manager lists its nodes in name order.
    List<String> nodes = java.util.Arrays.stream(CLUSTER.serverList().split(",")).sorted().toList();
    String namespace = "converge" + UUID.randomUUID().toString().substring(0, 8);
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start().serve(7, nodes.subList(0, 2));
        CacheManager first = manager(endpoint, namespace, namespace + "-a");
        CacheManager second = manager(endpoint, namespace, namespace + "-b")) {
      Cache<String, String> a = cache(first);
      Cache<String, String> b = cache(second);
      MemcachedCacheManager one = first.unwrap(MemcachedCacheManager.class);
      MemcachedCacheManager two = second.unwrap(MemcachedCacheManager.class);
      String two0 = String.join(",", nodes.subList(0, 2));
      assertEquals(two0, one.getServers());
      assertEquals(two0, two.getServers());
      for (int i = 0; i < 100; i++) {
        a.put("k" + i, "v" + i);
      }
      for (int i = 0; i < 100; i++) {
        assertEquals("v" + i, b.get("k" + i), "the second manager routes k" + i + " as the first does");
      }

      long changed = System.nanoTime();
      endpoint.serve(8, nodes);
      String all = String.join(",", nodes);
      long[] applied = new long[2];
      while (applied[0] == 0 || applied[1] == 0) {
        long elapsed = (System.nanoTime() - changed) / 1_000_000;
        assertTrue(elapsed < 10 * INTERVAL_MILLIS, "not converged after " + elapsed + " ms: " + one.getServers() + " / " + two.getServers());
        if (applied[0] == 0 && one.getServers().equals(all)) {
          applied[0] = Math.max(1, elapsed);
        }
        if (applied[1] == 0 && two.getServers().equals(all)) {
          applied[1] = Math.max(1, elapsed);
        }
        Thread.sleep(5);
      }
      System.out.printf("[discovery] two managers applied version 8 after %d ms and %d ms (interval %d ms)%n",
          applied[0], applied[1], INTERVAL_MILLIS);
      // A poll lands within one interval of the change, and applying it connects the new node.
      assertTrue(Math.max(applied[0], applied[1]) <= INTERVAL_MILLIS + 1000,
          "both within one interval (plus connecting the new node): " + applied[0] + " / " + applied[1] + " ms");

      for (int i = 0; i < 100; i++) {
        b.put("k" + i, "w" + i);
      }
      for (int i = 0; i < 100; i++) {
        assertEquals("w" + i, a.get("k" + i), "after the change too, both route k" + i + " alike");
      }

      endpoint.serve(6, nodes.subList(0, 1)); // an endpoint lagging behind: older version
      Thread.sleep(3 * INTERVAL_MILLIS);
      assertEquals(all, one.getServers(), "an older version is ignored");
      assertEquals(all, two.getServers());

      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> one.setServers(nodes.get(0)));
      assertTrue(refused.getMessage().contains("discovered"), refused.getMessage());
    }
  }
}
