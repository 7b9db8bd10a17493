package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.cache.Lease;
import io.memjcache.flight.CountingLoader;
import io.memjcache.testing.MemcachedCluster;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lease written straight into memcached with a deadline an hour away (by anyone who reaches the
 * port) holds a key no longer than a real lease could: the next read-through miss takes it over at
 * once instead of waiting, and then failing, for twice the lease.
 */
class PlantedLeaseTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  @Test
  void aLeaseWithAnImpossibleDeadlineIsTakenOverAtOnce() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    Properties properties = new Properties();
    properties.setProperty("memjcache.cache.planted.loadLease", "2s");
    CountingLoader.LOADS.set(0);
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace, properties)) {
      Cache<String, String> cache = manager.createCache("planted", new MutableConfiguration<String, String>()
          .setTypes(String.class, String.class)
          .setReadThrough(true)
          .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class)));
      String key = "hot key";
      byte[] lease = ByteBuffer.allocate(16).putLong(42).putLong(System.currentTimeMillis() + 3_600_000).array();
      InetSocketAddress node = CLUSTER.addresses().get(0);
      RawItems.set(node, RawItems.memcachedKey(namespace, "planted", key), Lease.FLAGS, lease);

      long start = System.nanoTime();
      String value = cache.get(key);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("[planted-lease] answered %s in %d ms%n", value, millis);
      assertEquals("value-of-hot key", value);
      assertEquals(1, CountingLoader.LOADS.get());
      assertTrue(millis < 2_000, "waited for a planted lease: " + millis + " ms (loadLease 2 s)");
      assertEquals("value-of-hot key", cache.get(key), "the loaded value replaced the planted lease");
      assertEquals(1, CountingLoader.LOADS.get());
    }
  }
}
