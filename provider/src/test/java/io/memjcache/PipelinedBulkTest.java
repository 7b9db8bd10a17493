package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * putAll and removeAll(keys) sent as one pipelined batch per node, on real nodes: every entry
 * lands (and goes), and when one node is down its share fails loudly, naming the keys and the
 * node, while the other nodes' shares are stored and stay readable.
 */
class PipelinedBulkTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static Cache<String, String> cache(CacheManager manager) {
    return manager.createCache("bulk", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
  }

  @Test
  void putAllAndRemoveAllReachEveryNode() {
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      Cache<String, String> cache = cache(manager);
      Map<String, String> entries = new LinkedHashMap<>();
      for (int i = 0; i < 300; i++) {
        entries.put("k" + i, "v" + i + "-".repeat(i));
      }
      cache.putAll(entries);
      assertEquals(entries, cache.getAll(entries.keySet()));
      Set<String> half = new HashSet<>();
      for (int i = 0; i < 300; i += 2) {
        half.add("k" + i);
      }
      cache.removeAll(half);
      for (int i = 0; i < 300; i++) {
        assertEquals(i % 2 == 0 ? null : entries.get("k" + i), cache.get("k" + i), "k" + i);
      }
    }
  }

  /**
   * Bytes each node wrote back while {@code action} ran, less the {@code stats} replies used to
   * measure them (memcached counts its replies in {@code bytes_written}).
   */
  private static long replyBytes(Runnable action) {
    long[] before = new long[CLUSTER.size()];
    long[] statsReply = new long[CLUSTER.size()];
    for (int i = 0; i < CLUSTER.size(); i++) {
      long first = CLUSTER.stat(i, "bytes_written");
      before[i] = CLUSTER.stat(i, "bytes_written");
      statsReply[i] = before[i] - first;
    }
    action.run();
    long total = 0;
    for (int i = 0; i < CLUSTER.size(); i++) {
      total += CLUSTER.stat(i, "bytes_written") - before[i] - statsReply[i];
    }
    return total;
  }

  @Test
  void aBatchCostsEachNodeOneReplyNotOnePerKey() {
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      Cache<String, String> cache = cache(manager);
      cache.put("warm-up", "connections open, item size limit read");
      Map<String, String> entries = new LinkedHashMap<>();
      for (int i = 0; i < 100; i++) {
        entries.put("r" + i, "v" + i);
      }
      // A binary reply header is 24 bytes: 100 replies would be 2,400 bytes, a noop per node 72.
      long putAll = replyBytes(() -> cache.putAll(entries));
      assertTrue(putAll < 600, "putAll(100) made the nodes write " + putAll + " bytes of replies");
      assertEquals(entries, cache.getAll(entries.keySet()));
      long removeAll = replyBytes(() -> cache.removeAll(entries.keySet()));
      assertTrue(removeAll < 600, "removeAll(100) made the nodes write " + removeAll + " bytes of replies");
      assertTrue(cache.getAll(entries.keySet()).isEmpty());
    }
  }

  /**
   * invokeAll on present keys: one batched read and one quiet batch of CAS writes per node, so
   * the nodes answer it with the replies of a getAll of the same keys plus a noop per node (a CAS
   * write answered key by key would add a 24-byte reply per key, 2,400 bytes).
   */
  @Test
  void invokeAllOfPresentKeysCostsOneReadAndOneQuietWriteBatchPerNode() {
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      Cache<String, Integer> cache = manager.createCache("counted",
          new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
      Map<String, Integer> entries = new LinkedHashMap<>();
      for (int i = 0; i < 100; i++) {
        entries.put("c" + i, 1000 + i);
      }
      cache.putAll(entries);
      long read = replyBytes(() -> assertEquals(entries, cache.getAll(entries.keySet())));
      long invoke = replyBytes(() -> cache.invokeAll(entries.keySet(), new Increment()));
      assertTrue(invoke - read < 600,
          "invokeAll(100) made the nodes write " + invoke + " bytes of replies, a getAll of the same keys " + read);
      for (Map.Entry<String, Integer> entry : entries.entrySet()) {
        assertEquals(entry.getValue() + 1, cache.get(entry.getKey()), entry.getKey());
      }
    }
  }

  @Test
  void aKeyRefusedByItsNodeInABatchIsReportedAndOnlyItsOwn() {
    // One node that refuses to evict (-M) with 2 MB of memory: a batch of 100 entries of 40 KB
    // overflows it, so some quiet sets come back with "out of memory" and the rest succeed.
    try (MemcachedCluster small = MemcachedCluster.nodes(1).withArgs("-M", "-m", "2").start();
        CacheManager manager = ClusterCaches.newManager(small, ClusterCaches.uniqueNamespace())) {
      Cache<String, String> cache = cache(manager);
      Map<String, String> entries = new LinkedHashMap<>();
      for (int i = 0; i < 100; i++) {
        entries.put("big" + i, i + "x".repeat(40_000));
      }
      CacheException failure = assertThrows(CacheException.class, () -> cache.putAll(entries));
      int stored = 0;
      for (Map.Entry<String, String> entry : entries.entrySet()) {
        String found = cache.get(entry.getKey());
        if (found != null) {
          assertEquals(entry.getValue(), found, entry.getKey());
          stored++;
        }
      }
      assertTrue(stored > 0 && stored < 100, "stored " + stored);
      assertTrue(failure.getMessage().startsWith("putAll: " + stored + " of 100 entries stored; " + (100 - stored) + " failed"),
          failure.getMessage());
      assertTrue(failure.getMessage().toLowerCase(java.util.Locale.ROOT).contains("memory"), failure.getMessage());
    }
  }

  @Test
  void aDeadNodesShareFailsLoudlyAndTheRestIsStored() {
    Properties properties = new Properties();
    properties.setProperty("memjcache.operationTimeoutMillis", "500");
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace(), properties)) {
      Cache<String, String> cache = cache(manager);
      MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
      String dead = "127.0.0.1:" + CLUSTER.addresses().get(2).getPort();
      CLUSTER.kill(2);
      try {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
          entries.put("k" + i, "v" + i);
        }
        CacheException failure = assertThrows(CacheException.class, () -> cache.putAll(entries));
        assertTrue(failure.getMessage().startsWith("putAll: "), failure.getMessage());
        assertTrue(failure.getMessage().contains(" of 60 entries stored; "), failure.getMessage());
        assertTrue(failure.getMessage().contains(dead), "names the dead node: " + failure.getMessage());
        int stored = 0;
        int failed = 0;
        for (int i = 0; i < 60; i++) {
          try {
            assertEquals("v" + i, cache.get("k" + i), "an entry of a live node is stored");
            stored++;
          } catch (CacheException e) {
            assertTrue(e.getMessage().contains(dead), e.getMessage());
            failed++;
          }
        }
        assertTrue(stored > 20 && failed > 5, "stored " + stored + ", failed " + failed);
        assertTrue(failure.getMessage().contains((60 - failed) + " of 60 entries stored; " + failed + " failed"),
            failure.getMessage());

        CacheException removeFailure = assertThrows(CacheException.class, () -> cache.removeAll(entries.keySet()));
        assertTrue(removeFailure.getMessage().contains(dead), removeFailure.getMessage());
      } finally {
        CLUSTER.restart(2);
      }
      assertFalse(memcached.getServers().isEmpty());
    }
  }

  /** Adds one to an Integer entry (creating it at 1), returns the value it saw. */
  static final class Increment implements javax.cache.processor.EntryProcessor<String, Integer, Integer>, java.io.Serializable {
    @Override
    public Integer process(javax.cache.processor.MutableEntry<String, Integer> entry, Object... arguments) {
      Integer before = entry.getValue();
      entry.setValue(before == null ? 1 : before + 1);
      return before;
    }
  }

  @Test
  void invokeAllLosesNoUpdateUnderConcurrentManagers() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    int threads = 4;
    int rounds = 25;
    Set<String> keys = new java.util.TreeSet<>();
    for (int i = 0; i < 40; i++) {
      keys.add("n" + i);
    }
    try (CacheManager one = ClusterCaches.newManager(CLUSTER, namespace);
        CacheManager two = ClusterCaches.newManager(CLUSTER, namespace)) {
      MutableConfiguration<String, Integer> ints = new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class);
      Cache<String, Integer> a = one.createCache("counters", ints);
      Cache<String, Integer> b = two.createCache("counters", ints);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      java.util.List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Cache<String, Integer> cache = t % 2 == 0 ? a : b;
        runs.add(pool.submit(() -> {
          int failures = 0;
          for (int r = 0; r < rounds; r++) {
            for (var result : cache.invokeAll(keys, new Increment()).values()) {
              try {
                result.get();
              } catch (javax.cache.processor.EntryProcessorException e) {
                failures++;
              }
            }
          }
          return failures;
        }));
      }
      int failures = 0;
      for (var run : runs) {
        failures += run.get(120, java.util.concurrent.TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(0, failures, "invocations that failed");
      for (String key : keys) {
        assertEquals(threads * rounds, a.get(key), key + ": every increment of every manager counted once");
      }
    }
  }

  @Test
  void inFailOverModeTheBatchesGoKeyByKeyWithTheSameResults() {
    Properties properties = new Properties();
    properties.setProperty("memjcache.failureMode", "fail-over");
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace(), properties)) {
      MutableConfiguration<String, Integer> ints = new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class);
      Cache<String, Integer> cache = manager.createCache("failover-bulk", ints);
      Map<String, Integer> entries = new LinkedHashMap<>();
      for (int i = 0; i < 50; i++) {
        entries.put("f" + i, i);
      }
      cache.putAll(entries);
      assertEquals(entries, cache.getAll(entries.keySet()));
      cache.invokeAll(entries.keySet(), new Increment());
      for (int i = 0; i < 50; i++) {
        assertEquals(i + 1, cache.get("f" + i));
      }
      cache.removeAll(entries.keySet());
      assertTrue(cache.getAll(entries.keySet()).isEmpty());
    }
  }

  @Test
  void removeAllOfKeysChangedMeanwhileStillRemovesThem() {
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      Cache<String, String> cache = cache(manager);
      Map<String, String> entries = new LinkedHashMap<>();
      for (int i = 0; i < 50; i++) {
        entries.put("k" + i, "v" + i);
      }
      cache.putAll(entries);
      cache.removeAll(entries.keySet());
      for (String key : entries.keySet()) {
        assertNull(cache.get(key));
      }
    }
  }
}
