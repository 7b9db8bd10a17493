package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.function.Consumer;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code clear()}, {@code removeAll()} and {@code destroyCache} delete every copy of a cache's
 * keys, also copies on a node that is not the key's home under the deleting client's ring (left
 * there by another server list, weights or a fail-over): such a copy would come back when the
 * ring changes back.
 */
class StrayCopiesTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static CacheManager manager(String namespace, int nodes) {
    String servers = String.join(",", CLUSTER.addresses().subList(0, nodes).stream()
        .map(a -> "127.0.0.1:" + a.getPort()).toList());
    URI uri = URI.create("memcached://" + servers + "?namespace=" + namespace + "&operationTimeoutMillis=1000");
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(StrayCopiesTest.class.getClassLoader()) {});
  }

  @Test
  void clearDeletesACopyOnANodeThatIsNotItsHome() {
    assertStrayCopyDeletedBy(cache -> cache.clear(), "clear()");
  }

  @Test
  void removeAllDeletesACopyOnANodeThatIsNotItsHome() {
    assertStrayCopyDeletedBy(cache -> cache.removeAll(), "removeAll()");
  }

  @Test
  void destroyCacheDeletesACopyOnANodeThatIsNotItsHome() {
    assertStrayCopyDeletedBy(cache -> cache.getCacheManager().destroyCache("c"), "destroyCache");
  }

  private void assertStrayCopyDeletedBy(Consumer<Cache<String, String>> deleteAll, String what) {
    String namespace = ClusterCaches.uniqueNamespace();
    String third = "127.0.0.1:" + CLUSTER.addresses().get(2).getPort();
    try (CacheManager twoNodes = manager(namespace, 2); CacheManager threeNodes = manager(namespace, 3)) {
      Cache<String, String> old = twoNodes.createCache("c", new MutableConfiguration<String, String>());
      Cache<String, String> wide = threeNodes.createCache("c", new MutableConfiguration<String, String>());
      @SuppressWarnings("unchecked")
      MemcachedCache<String, String> routing = wide.unwrap(MemcachedCache.class);
      String moved = null;
      String stays = null;
      for (int i = 0; (moved == null || stays == null) && i < 10_000; i++) {
        if (routing.nodeOf("k" + i).equals(third)) {
          moved = moved == null ? "k" + i : moved;
        } else {
          stays = stays == null ? "k" + i : stays;
        }
      }
      assertTrue(moved != null && stays != null);
      old.put(moved, "old");
      old.put(stays, "old");
      assertEquals("old", wide.get(stays));
      assertNull(wide.get(moved), "the three-node ring homes the key on the third node");

      deleteAll.accept(wide);

      assertNull(old.get(stays), what + " left the home copy");
      assertNull(old.get(moved), what + " left the copy on a node that is not the key's home");
    }
  }
}
