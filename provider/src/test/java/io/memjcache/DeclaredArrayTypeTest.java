package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.memjcache.testing.MemcachedCluster;
import java.io.Serializable;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cache declared with an array value type may deserialize the array's element class. */
class DeclaredArrayTypeTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  record Order(long id, String item) implements Serializable {}

  record Refused(long id) implements Serializable {}

  @Test
  void anArrayValueTypeAllowsItsElementClass() {
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      Cache<String, Order[]> orders = manager.createCache("orders",
          new MutableConfiguration<String, Order[]>().setTypes(String.class, Order[].class));
      Order[] value = {new Order(1, "book"), new Order(2, "pen")};
      orders.put("k", value);
      assertArrayEquals(value, orders.get("k"));

      Cache<String, Order[][]> grid = manager.createCache("grid",
          new MutableConfiguration<String, Order[][]>().setTypes(String.class, Order[][].class));
      Order[][] nested = {{new Order(3, "cup")}, {}};
      grid.put("k", nested);
      assertArrayEquals(nested[0], grid.get("k")[0]);

      // Only the element class: another class inside the array is still refused.
      Cache<String, Object[]> objects = manager.createCache("objects",
          new MutableConfiguration<String, Object[]>().setTypes(String.class, Object[].class));
      objects.put("k", new Object[] {new Refused(4)});
      assertThrows(CacheException.class, () -> objects.get("k"));
    }
  }
}
