package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.store.NodeHealth;
import io.memjcache.store.NodeStatistics;
import io.memjcache.testing.MemcachedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-node figures a manager gives health checks and metrics, on real nodes: commands routed
 * to each node, single-key latency, errors and timeouts of a dead node, and a ping that names the
 * node that is down; and the one line the client logs when it connects.
 */
class NodeStatisticsTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  @Test
  void commandsAndLatencyAreCountedOnTheNodeEachKeyWentTo() {
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace());
    try {
      MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
      Cache<String, String> cache = manager.createCache("counted", new MutableConfiguration<String, String>());
      @SuppressWarnings("unchecked")
      MemcachedCache<String, String> raw = cache.unwrap(MemcachedCache.class);
      List<String> keys = new ArrayList<>();
      Map<String, Integer> keysPerNode = new HashMap<>();
      for (int i = 0; i < 60; i++) {
        keys.add("k" + i);
        keysPerNode.merge(raw.nodeOf("k" + i), 1, Integer::sum);
      }
      assertEquals(3, keysPerNode.size(), "60 keys reach every node");
      keys.forEach(key -> cache.put(key, "v"));

      Map<String, NodeStatistics> before = byNode(memcached.nodeStatistics());
      Map<String, String> found = cache.getAll(new HashSet<>(keys));
      assertEquals(60, found.size());
      Map<String, NodeStatistics> afterGetAll = byNode(memcached.nodeStatistics());
      for (String node : keysPerNode.keySet()) {
        // One getkq per key, and xmemcached routes the node's batch once more by its first key.
        long sent = afterGetAll.get(node).commands() - before.get(node).commands();
        assertTrue(sent >= keysPerNode.get(node) && sent <= keysPerNode.get(node) + 1,
            sent + " commands for " + keysPerNode.get(node) + " keys on " + node);
      }

      String onFirst = keys.stream().filter(key -> raw.nodeOf(key).equals(name(0))).findFirst().orElseThrow();
      for (int i = 0; i < 10; i++) {
        assertEquals("v", cache.get(onFirst));
      }
      Map<String, NodeStatistics> afterGets = byNode(memcached.nodeStatistics());
      NodeStatistics first = afterGets.get(name(0));
      assertTrue(first.commands() - afterGetAll.get(name(0)).commands() >= 10, "10 gets routed to " + name(0));
      assertTrue(first.timedCalls() - afterGetAll.get(name(0)).timedCalls() >= 10);
      assertTrue(first.totalLatency().compareTo(afterGetAll.get(name(0)).totalLatency()) > 0);
      for (int other = 1; other < 3; other++) {
        assertEquals(afterGetAll.get(name(other)).commands(), afterGets.get(name(other)).commands(),
            "a get of a key on " + name(0) + " sends nothing to " + name(other));
        assertEquals(afterGetAll.get(name(other)).timedCalls(), afterGets.get(name(other)).timedCalls());
      }
      afterGets.values().forEach(node -> {
        assertEquals(0, node.errors(), node.node());
        assertEquals(0, node.timeouts(), node.node());
      });
    } finally {
      manager.close();
    }
  }

  @Test
  void aDeadNodeIsDownByNameWithItsErrorsCountedAndUpAgainAfterARestart() throws Exception {
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace());
    try {
      MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
      Cache<String, String> cache = manager.createCache("health", new MutableConfiguration<String, String>());
      @SuppressWarnings("unchecked")
      MemcachedCache<String, String> raw = cache.unwrap(MemcachedCache.class);
      List<NodeHealth> healthy = memcached.pingNodes(Duration.ofSeconds(2));
      assertEquals(Set.of(name(0), name(1), name(2)), healthy.stream().map(NodeHealth::node).collect(Collectors.toSet()));
      healthy.forEach(node -> {
        assertTrue(node.up(), node.toString());
        assertNull(node.failure());
        assertTrue(node.roundTrip().compareTo(Duration.ZERO) > 0);
      });

      String onVictim = null;
      for (int i = 0; onVictim == null; i++) {
        if (raw.nodeOf("d" + i).equals(name(2))) {
          onVictim = "d" + i;
        }
      }
      CLUSTER.kill(2);
      try {
        String key = onVictim;
        long failures = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
          try {
            cache.get(key);
          } catch (CacheException expected) {
            failures++;
          }
        }
        assertTrue(failures >= 1, "a get on the dead node fails (fail-fast)");
        NodeStatistics victim = byNode(memcached.nodeStatistics()).get(name(2));
        assertTrue(victim.errors() + victim.timeouts() >= failures, victim.toString());

        Map<String, NodeHealth> down = memcached.pingNodes(Duration.ofMillis(500)).stream()
            .collect(Collectors.toMap(NodeHealth::node, Function.identity()));
        assertFalse(down.get(name(2)).up(), down.toString());
        assertTrue(down.get(name(2)).failure() != null && !down.get(name(2)).failure().isBlank(), down.toString());
        assertTrue(down.get(name(0)).up() && down.get(name(1)).up(), down.toString());
      } finally {
        CLUSTER.restart(2);
      }
      boolean upAgain = false;
      for (long deadline = System.nanoTime() + 20_000_000_000L; !upAgain && System.nanoTime() < deadline; ) {
        upAgain = memcached.pingNodes(Duration.ofMillis(500)).stream().allMatch(NodeHealth::up);
        if (!upAgain) {
          Thread.sleep(100);
        }
      }
      assertTrue(upAgain, "every node answers again after the restart (xmemcached reconnects)");
    } finally {
      manager.close();
    }
  }

  @Test
  void connectingLogsTheNodesOnceAndNoCredentials() {
    String namespace = ClusterCaches.uniqueNamespace();
    try (StdErrCapture err = new StdErrCapture()) {
      CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace);
      try {
        Cache<String, String> cache = manager.createCache("logged", new MutableConfiguration<String, String>());
        cache.put("a", "b");
        cache.get("a");
        List<String> lines = err.text().lines().filter(line -> line.contains("namespace " + namespace + ")")).toList();
        assertEquals(1, lines.size(), String.join("\n", lines));
        String line = lines.get(0);
        assertTrue(line.contains("INFO") && line.contains("connected to memcached nodes"), line);
        for (int i = 0; i < 3; i++) {
          assertTrue(line.contains(name(i)), line + " names " + name(i));
        }
        // The README's logging section names the loggers to set to WARN: every other INFO line a
        // new manager causes comes from one of them.
        List<String> others = err.text().lines()
            .filter(text -> text.contains(" INFO ") && !text.contains(" INFO io.memjcache."))
            .filter(text -> !text.contains(" INFO net.rubyeye.xmemcached.") && !text.contains(" INFO com.google.code.yanf4j."))
            .toList();
        assertEquals(List.of(), others, "INFO lines from loggers the README does not name");
        assertTrue(err.text().contains(" INFO com.google.code.yanf4j."), "xmemcached's reactor logs at INFO by default");
      } finally {
        manager.close();
      }
    }
  }

  @Test
  void aClosedManagerRefusesBoth() {
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace());
    MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
    manager.close();
    assertThrows(IllegalStateException.class, memcached::nodeStatistics);
    assertThrows(IllegalStateException.class, () -> memcached.pingNodes(Duration.ofSeconds(1)));
  }

  private static String name(int index) {
    return "127.0.0.1:" + CLUSTER.addresses().get(index).getPort();
  }

  private static Map<String, NodeStatistics> byNode(List<NodeStatistics> all) {
    Set<String> seen = new HashSet<>();
    all.forEach(node -> assertTrue(seen.add(node.node()), "one entry per node: " + all));
    return all.stream().collect(Collectors.toMap(NodeStatistics::node, Function.identity()));
  }
}
