package io.memjcache;

import static io.memjcache.FailOverReturnTest.eventually;
import static io.memjcache.FailOverReturnTest.firstAnswer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.memjcache.testing.MemcachedCluster;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fail-over mode: a dead node's keys are served by a stand-in that every client shares, and what
 * was written there during one outage never resurfaces in a later one, for any operation. Every
 * assertion takes the first answer a client gives once it routes around the node (calls are
 * retried only while they throw), so a window in which an old value is served cannot hide.
 */
class FailOverFlapTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final int VICTIM = 1;

  @Test
  void standInEntriesAreSharedDuringAnOutageAndNeverResurfaceAfterAFlap() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    String servers = CLUSTER.serverList();
    try (CacheManager first = FailOverReturnTest.manager(servers, namespace);
        CacheManager second = FailOverReturnTest.manager(servers, namespace)) {
      Cache<String, String> a = first.createCache("c", new MutableConfiguration<String, String>());
      Cache<String, String> b = second.createCache("c", new MutableConfiguration<String, String>());
      MemcachedCache<String, String> routeA = FailOverReturnTest.routing(a);
      MemcachedCache<String, String> routeB = FailOverReturnTest.routing(b);
      String victim = "127.0.0.1:" + CLUSTER.addresses().get(VICTIM).getPort();
      String read = FailOverReturnTest.keyOn(routeA, victim, "get");
      String replaced = FailOverReturnTest.keyOn(routeA, victim, "replace");
      String swapped = FailOverReturnTest.keyOn(routeA, victim, "getAndPut");
      String removed = FailOverReturnTest.keyOn(routeA, victim, "remove");
      List<String> keys = List.of(read, replaced, swapped, removed);
      for (String k : keys) {
        a.put(k, "before");
      }
      assertEquals("before", b.get(read));

      // Outage 1: the keys move to a stand-in; both clients see each other's writes there.
      CLUSTER.kill(VICTIM);
      eventually(() -> !routeA.nodeOf(read).equals(victim) && !routeB.nodeOf(read).equals(victim));
      for (String k : keys) {
        firstAnswer(() -> {
          a.put(k, "outage-1");
          return null;
        });
      }
      assertEquals("outage-1", firstAnswer(() -> b.get(read)));
      b.put(read, "outage-1b");
      assertEquals("outage-1b", a.get(read));

      // The node returns, empty: the keys are read from it again, and nothing of outage 1 shows.
      CLUSTER.restart(VICTIM);
      eventually(() -> routeA.nodeOf(read).equals(victim) && routeB.nodeOf(read).equals(victim));
      for (String k : keys) {
        assertNull(firstAnswer(() -> a.get(k)), "after the return, " + k);
      }
      for (String k : keys) {
        a.put(k, "after");
      }
      assertEquals("after", b.get(read));

      // Outage 2: the stand-in still holds outage 1's values, but no operation may see them.
      CLUSTER.kill(VICTIM);
      eventually(() -> !routeA.nodeOf(read).equals(victim) && !routeB.nodeOf(read).equals(victim));
      assertNull(firstAnswer(() -> b.get(read)), "outage 1's stand-in value resurfaced in a get");
      assertFalse(firstAnswer(() -> a.replace(replaced, "replaced")), "replace found outage 1's stand-in value");
      assertNull(firstAnswer(() -> b.getAndPut(swapped, "swapped")), "getAndPut returned outage 1's stand-in value");
      assertFalse(firstAnswer(() -> a.remove(removed)), "remove found outage 1's stand-in value");
      assertNull(a.get(replaced));
      assertNull(b.get(removed));
      assertEquals("swapped", a.get(swapped));
      a.put(read, "outage-2");
      assertEquals("outage-2", b.get(read));
      CLUSTER.restart(VICTIM);
    }
  }
}
