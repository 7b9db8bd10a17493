package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memjcache.testing.MemcachedCluster;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values near memcached's 1 MiB item limit are written within a tight operation timeout. With
 * xmemcached's default 32 KiB socket send buffer, the kernel reports the socket writable again
 * only when the node's delayed ACK frees the buffer (40 ms on Linux), once per 64 KiB or so: a
 * 900 KB put took about half a second and failed this test's 300 ms timeout. No clock is read
 * here: the operation timeout is the judge.
 */
class LargeValueWriteTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(2);

  private static final int NEAR_LIMIT = 900 * 1024;

  private static Cache<String, String> cache(CacheManager manager) {
    return manager.createCache("large", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
  }

  private static CacheManager manager() {
    return ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace(), 300);
  }

  private static String value(int length, int seed) {
    StringBuilder value = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      value.append((char) ('a' + (i * 31 + seed) % 26));
    }
    return value.toString();
  }

  @Test
  void aValueNearTheItemLimitIsStoredWithinTheOperationTimeout() {
    try (CacheManager manager = manager()) {
      Cache<String, String> cache = cache(manager);
      for (int i = 0; i < 5; i++) {
        String value = value(NEAR_LIMIT, i);
        cache.put("big-" + i, value);
        assertEquals(value, cache.get("big-" + i));
      }
    }
  }

  @Test
  void aBatchOfLargeValuesIsStoredWithinTheOperationTimeout() {
    try (CacheManager manager = manager()) {
      Cache<String, String> cache = cache(manager);
      Map<String, String> entries = new LinkedHashMap<>();
      for (int i = 0; i < 8; i++) {
        entries.put("batch-" + i, value(NEAR_LIMIT / 2, i));
      }
      cache.putAll(entries);
      assertEquals(entries, cache.getAll(entries.keySet()));
    }
  }
}
