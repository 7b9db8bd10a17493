package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.spi.ValueSerializer;
import io.memjcache.testing.MemcachedCluster;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cache configured with its own {@link ValueSerializer}. */
class ValueSerializerTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  /** A value type that is not Serializable: only the custom serializer can store it. */
  record Point(int x, int y) {}

  /** Writes points as "x,y" text. */
  public static final class PointSerializer implements ValueSerializer {
    @Override
    public byte[] serialize(Object value) {
      Point p = (Point) value;
      return (p.x() + "," + p.y()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader classLoader) {
      String[] parts = new String(bytes, StandardCharsets.UTF_8).split(",");
      return new Point(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }
  }

  @Test
  void valuesGoThroughTheConfiguredSerializer() {
    String namespace = ClusterCaches.uniqueNamespace();
    Properties properties = new Properties();
    properties.setProperty("memjcache.cache.points.serializer", PointSerializer.class.getName());
    CacheManager custom = ClusterCaches.newManager(CLUSTER, namespace, properties);
    CacheManager plain = ClusterCaches.newManager(CLUSTER, namespace);
    try {
      Cache<String, Point> points = custom.createCache("points", new MutableConfiguration<String, Point>());
      points.put("p", new Point(1, 2));
      assertEquals(new Point(1, 2), points.get("p"));
      assertTrue(points.replace("p", new Point(1, 2), new Point(3, 4)));
      assertEquals(new Point(3, 4), points.get("p"));

      Cache<String, Object> sameCacheWithoutIt = plain.createCache("points", new MutableConfiguration<String, Object>());
      assertNull(sameCacheWithoutIt.get("p"), "bytes of an unknown serializer are a miss, not an exception");
    } finally {
      custom.close();
      plain.close();
    }
  }

  @Test
  void aClassThatIsNotASerializerIsRefusedNamingTheSetting() {
    Properties properties = new Properties();
    properties.setProperty("memjcache.cache.bad.serializer", "java.lang.String");
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace(), properties);
    try {
      CacheException e = assertThrows(CacheException.class, () -> manager.createCache("bad", new MutableConfiguration<>()));
      assertTrue(e.getMessage().contains("memjcache.cache.bad.serializer"), e.getMessage());
    } finally {
      manager.close();
    }
  }
}
