package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.memjcache.testing.MemcachedCluster;
import io.memjcache.testing.StallingProxy;
import java.net.URI;
import java.util.List;
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
 * Fail-over when a node comes back with its memory intact (a network cut, not a restart): what
 * was written or removed on the stand-in during the outage must not be undone by the node's
 * pre-outage entries, for the client that wrote, for another client, and for a client opened
 * after the return.
 */
class FailOverReturnTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  static CacheManager manager(String servers, String namespace) {
    URI uri = URI.create("memcached://" + servers + "?namespace=" + namespace
        + "&failureMode=fail-over&operationTimeoutMillis=1000");
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(FailOverReturnTest.class.getClassLoader()) {});
  }

  /** The proxy first, then the other nodes direct. */
  static String servers(StallingProxy proxy, MemcachedCluster cluster) {
    List<String> others = cluster.addresses().subList(1, cluster.size()).stream()
        .map(a -> "127.0.0.1:" + a.getPort()).toList();
    return proxy.address() + "," + String.join(",", others);
  }

  @Test
  void aNodeBackWithItsDataNeverServesValuesChangedDuringItsOutage() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (StallingProxy proxy = new StallingProxy(CLUSTER.addresses().get(0))) {
      String servers = servers(proxy, CLUSTER);
      try (CacheManager first = manager(servers, namespace); CacheManager second = manager(servers, namespace)) {
        Cache<String, String> one = first.createCache("c", new MutableConfiguration<String, String>());
        Cache<String, String> two = second.createCache("c", new MutableConfiguration<String, String>());
        MemcachedCache<String, String> routeOne = routing(one);
        MemcachedCache<String, String> routeTwo = routing(two);
        String a = keyOn(routeOne, proxy.address(), "a");
        String b = keyOn(routeOne, proxy.address(), "b");
        one.put(a, "v1");
        one.put(b, "v1");
        assertEquals("v1", two.get(a));

        proxy.cut();
        eventually(() -> !routeOne.nodeOf(a).equals(proxy.address()) && !routeTwo.nodeOf(a).equals(proxy.address()));
        eventually(() -> {
          one.put(a, "v2");
          one.remove(b);
          return true;
        });
        assertEquals("v2", two.get(a), "the stand-in is shared during the outage");
        try (CacheManager during = manager(servers, namespace)) { // started while the node is cut off
          Cache<String, String> four = during.createCache("c", new MutableConfiguration<String, String>());
          assertEquals("v2", firstAnswer(() -> four.get(a)), "a client started during the outage shares the stand-in");

          proxy.restore();
          eventually(() -> routeOne.nodeOf(a).equals(proxy.address()) && routeTwo.nodeOf(a).equals(proxy.address()));
          // The first reads after the return are the ones that matter: no retry until a miss.
          assertNotEquals("v1", one.get(a), "the writer read the pre-outage value of a");
          assertNotEquals("v1", one.get(b), "the writer read b, removed during the outage");
          assertNotEquals("v1", two.get(a), "another client read the pre-outage value of a");
          assertNotEquals("v1", two.get(b), "another client read b, removed during the outage");
          MemcachedCache<String, String> routeFour = routing(four);
          eventually(() -> routeFour.nodeOf(a).equals(proxy.address()));
          assertNotEquals("v1", four.get(a), "a client started during the outage read the pre-outage a");
          assertNotEquals("v1", four.get(b), "a client started during the outage read the removed b");
        }
        try (CacheManager third = manager(servers, namespace)) {
          Cache<String, String> three = third.createCache("c", new MutableConfiguration<String, String>());
          assertNotEquals("v1", three.get(a), "a client opened after the return read the pre-outage a");
          assertNotEquals("v1", three.get(b), "a client opened after the return read the removed b");
        }
        one.put(a, "v3");
        assertEquals("v3", two.get(a), "after the return both clients share the home node again");
      }
    }
  }

  @Test
  void aClientStartedAfterTheReturnCleansTheNodeWhenNoClientThatSawTheOutageIsLeft() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (StallingProxy proxy = new StallingProxy(CLUSTER.addresses().get(0))) {
      String servers = servers(proxy, CLUSTER);
      String a;
      try (CacheManager writer = manager(servers, namespace)) {
        Cache<String, String> cache = writer.createCache("c", new MutableConfiguration<String, String>());
        MemcachedCache<String, String> routing = routing(cache);
        a = keyOn(routing, proxy.address(), "a");
        cache.put(a, "v1");
        proxy.cut();
        eventually(() -> !routing.nodeOf(a).equals(proxy.address()));
        eventually(() -> {
          cache.put(a, "v2");
          return true;
        });
      }
      proxy.restore();
      String key = a;
      try (CacheManager late = manager(servers, namespace)) {
        Cache<String, String> cache = late.createCache("c", new MutableConfiguration<String, String>());
        MemcachedCache<String, String> routing = routing(cache);
        eventually(() -> routing.nodeOf(key).equals(proxy.address()));
        assertNotEquals("v1", firstAnswer(() -> cache.get(key)), "a client started after the return read the"
            + " pre-outage value");
      }
    }
  }

  /** The first answer of {@code call}, retried only while it throws (the node not yet reachable). */
  static <T> T firstAnswer(Callable<T> call) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        return call.call();
      } catch (CacheException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(50);
    }
  }

  @SuppressWarnings("unchecked")
  static MemcachedCache<String, String> routing(Cache<String, String> cache) {
    return cache.unwrap(MemcachedCache.class);
  }

  static String keyOn(MemcachedCache<String, String> cache, String node, String prefix) {
    for (int i = 0; i < 10_000; i++) {
      if (cache.nodeOf(prefix + i).equals(node)) {
        return prefix + i;
      }
    }
    throw new AssertionError("no key on " + node);
  }

  /** Retries {@code condition} (failures count as false) for up to 15 s. */
  static void eventually(Callable<Boolean> condition) throws Exception {
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
