package io.memjcache.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cluster membership of a manager changed through JMX, on real nodes: the operation reroutes
 * the manager's caches, the attributes show the new list and the change settling, and a bad list
 * is refused without changing anything.
 */
class ClusterMembershipMBeanTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

  @Test
  void setServersThroughJmxReroutesTheManager() throws Exception {
    // Sorted: a manager lists its nodes in name order.
    List<String> nodes = java.util.Arrays.stream(CLUSTER.serverList().split(",")).sorted().toList();
    String name = "membership-" + UUID.randomUUID().toString().substring(0, 8);
    CachingProvider provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
    Properties properties = new Properties();
    properties.setProperty("memjcache.servers", nodes.get(0) + "," + nodes.get(1));
    properties.setProperty("memjcache.namespace", name);
    properties.setProperty("memjcache.operationTimeoutMillis", "500");
    properties.setProperty("memjcache.membership.settle", "1s");
    try (CacheManager manager = provider.getCacheManager(URI.create("memjcache:" + name), getClass().getClassLoader(), properties)) {
      Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      for (int i = 0; i < 100; i++) {
        cache.put("k" + i, "v" + i);
      }
      ObjectName bean = new ObjectName("io.memjcache:type=ClusterMembership,CacheManager=memjcache." + name);
      assertEquals(nodes.get(0) + "," + nodes.get(1), SERVER.getAttribute(bean, "Servers"));
      assertEquals(true, SERVER.getAttribute(bean, "Settled"));

      SERVER.invoke(bean, "changeServers", new Object[] {String.join(",", nodes)}, new String[] {String.class.getName()});

      assertEquals(String.join(",", nodes), SERVER.getAttribute(bean, "Servers"));
      assertEquals(String.join(",", nodes), manager.unwrap(MemcachedCacheManager.class).getServers());
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!(Boolean) SERVER.getAttribute(bean, "Settled")) {
        assertTrue(System.nanoTime() < deadline, "the change did not settle within 20 s");
        Thread.sleep(20);
      }
      int kept = 0;
      for (int i = 0; i < 100; i++) {
        String value = cache.get("k" + i);
        if (value != null) {
          assertEquals("v" + i, value);
          kept++;
        }
      }
      // About a third of the keys moved to the third node: they are misses now, the rest stayed.
      assertTrue(kept > 40 && kept < 90, "keys still cached after adding a third node: " + kept);
      cache.put("after", "the change");
      assertEquals("the change", cache.get("after"));

      RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
          () -> SERVER.invoke(bean, "changeServers", new Object[] {" "}, new String[] {String.class.getName()}));
      assertInstanceOf(IllegalArgumentException.class, refused.getCause());
      assertEquals(String.join(",", nodes), SERVER.getAttribute(bean, "Servers"), "a refused list changes nothing");
    }
  }
}
