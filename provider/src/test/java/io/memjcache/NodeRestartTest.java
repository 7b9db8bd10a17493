package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node dies and comes back empty (fail-fast, the default): its keys fail, then miss; others never notice. */
class NodeRestartTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  /** Answers every key with -1 and counts its calls. */
  public static final class CountingLoader implements javax.cache.integration.CacheLoader<String, Integer> {
    static final java.util.concurrent.atomic.AtomicInteger LOADS = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Integer load(String key) {
      LOADS.incrementAndGet();
      return -1;
    }

    @Override
    public java.util.Map<String, Integer> loadAll(Iterable<? extends String> keys) {
      throw new UnsupportedOperationException("not used");
    }
  }

  @Test
  void withReadFailureAsMissAnOutageIsAMissAndReadThroughLoads() throws Exception {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("memjcache.readFailureAsMiss", "true");
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace(), properties);
    java.util.concurrent.atomic.AtomicInteger loads = CountingLoader.LOADS;
    try {
      Cache<String, Integer> cache = manager.createCache("loading", new MutableConfiguration<String, Integer>()
          .setReadThrough(true)
          .setCacheLoaderFactory(javax.cache.configuration.FactoryBuilder.factoryOf(CountingLoader.class)));
      @SuppressWarnings("unchecked")
      MemcachedCache<String, Integer> memcached = cache.unwrap(MemcachedCache.class);
      String victimName = "127.0.0.1:" + CLUSTER.addresses().get(2).getPort();
      String key = null;
      for (int i = 0; key == null; i++) {
        if (memcached.nodeOf("r" + i).equals(victimName)) {
          key = "r" + i;
        }
      }
      cache.put(key, 7);
      assertEquals(7, cache.get(key));
      CLUSTER.kill(2);
      try {
        Integer answer = null;
        for (int attempt = 0; attempt < 50 && !Integer.valueOf(-1).equals(answer); attempt++) {
          answer = cache.get(key); // never throws: a failed read is a miss, the loader answers
          Thread.sleep(20);
        }
        assertEquals(-1, answer, "the loader's value, although the node holding the key is down");
        assertTrue(loads.get() >= 1);
      } finally {
        CLUSTER.restart(2);
      }
    } finally {
      manager.close();
    }
  }

  @Test
  void deadNodeKeysFailNamingItOthersWorkAndARestartedNodeIsAMiss() throws Exception {
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace());
    try {
      Cache<String, Integer> cache = manager.createCache("c", new MutableConfiguration<String, Integer>());
      @SuppressWarnings("unchecked")
      MemcachedCache<String, Integer> memcached = cache.unwrap(MemcachedCache.class);
      InetSocketAddress victim = CLUSTER.addresses().get(1);
      String victimName = "127.0.0.1:" + victim.getPort();
      List<String> onVictim = new ArrayList<>();
      List<String> elsewhere = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String key = "k" + i;
        cache.put(key, i);
        (memcached.nodeOf(key).equals(victimName) ? onVictim : elsewhere).add(key);
      }
      assertTrue(!onVictim.isEmpty() && !elsewhere.isEmpty(), onVictim + " / " + elsewhere);

      CLUSTER.kill(1);
      String dead = onVictim.get(0);
      long start = System.nanoTime();
      CacheException failure = assertThrows(CacheException.class, () -> {
        // The client notices the closed connection at the latest on the first call after it.
        for (int attempt = 0; attempt < 50; attempt++) {
          cache.get(dead);
          Thread.sleep(20);
        }
      });
      assertTrue(failure.getMessage().contains(victimName), failure.getMessage());
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
      for (String key : elsewhere) {
        assertEquals(Integer.parseInt(key.substring(1)), cache.get(key), "other nodes keep working");
      }

      CLUSTER.restart(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          cache.get(dead);
          break;
        } catch (CacheException stillReconnecting) {
          assertTrue(System.nanoTime() < deadline, "the client reconnected to the restarted node");
          Thread.sleep(200);
        }
      }
      for (String key : onVictim) {
        assertNull(cache.get(key), "a restarted node is empty: a miss, never an error or a wrong value");
      }
      cache.put(dead, 42);
      assertEquals(42, cache.get(dead));
    } finally {
      manager.close();
    }
  }
}
