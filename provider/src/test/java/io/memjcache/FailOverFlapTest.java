package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fail-over mode: a dead node's keys are served by a stand-in that every client shares, and what
 * was written there during one outage never resurfaces in a later one.
 */
class FailOverFlapTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final int VICTIM = 1;

  private static CacheManager manager(String namespace) {
    URI uri = URI.create("memcached://" + CLUSTER.serverList() + "?namespace=" + namespace
        + "&failureMode=fail-over&operationTimeoutMillis=1000");
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(FailOverFlapTest.class.getClassLoader()) {});
  }

  @Test
  void standInEntriesAreSharedDuringAnOutageAndNeverResurfaceAfterAFlap() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (CacheManager first = manager(namespace); CacheManager second = manager(namespace)) {
      Cache<String, String> a = first.createCache("c", new MutableConfiguration<String, String>());
      Cache<String, String> b = second.createCache("c", new MutableConfiguration<String, String>());
      @SuppressWarnings("unchecked")
      MemcachedCache<String, String> routing = a.unwrap(MemcachedCache.class);
      String victim = "127.0.0.1:" + CLUSTER.addresses().get(VICTIM).getPort();
      String key = null;
      for (int i = 0; key == null; i++) {
        if (routing.nodeOf("k" + i).equals(victim)) {
          key = "k" + i;
        }
      }
      String k = key;
      a.put(k, "before");
      assertEquals("before", b.get(k));

      // Outage 1: the key moves to a stand-in; both clients see each other's writes there.
      CLUSTER.kill(VICTIM);
      eventually(() -> !routing.nodeOf(k).equals(victim));
      eventually(() -> {
        a.put(k, "outage-1");
        return true;
      });
      eventually(() -> "outage-1".equals(b.get(k)));
      b.put(k, "outage-1b");
      assertEquals("outage-1b", a.get(k));

      // The node returns, empty: the key is read from it again.
      CLUSTER.restart(VICTIM);
      eventually(() -> routing.nodeOf(k).equals(victim));
      eventually(() -> a.get(k) == null);
      a.put(k, "after");
      assertEquals("after", b.get(k));

      // Outage 2: the stand-in still holds outage 1's value, but it must not come back.
      CLUSTER.kill(VICTIM);
      eventually(() -> !routing.nodeOf(k).equals(victim));
      eventually(() -> {
        a.get(k);
        return true;
      });
      assertNull(a.get(k), "outage 1's stand-in value resurfaced");
      assertNull(b.get(k), "outage 1's stand-in value resurfaced in another client");
      a.put(k, "outage-2");
      assertEquals("outage-2", b.get(k));
      CLUSTER.restart(VICTIM);
    }
  }

  /** Retries {@code condition} (failures count as false) for up to 15 s. */
  private static void eventually(Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        if (condition.call()) {
          return;
        }
      } catch (CacheException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 15 s");
      }
      Thread.sleep(50);
    }
  }
}
