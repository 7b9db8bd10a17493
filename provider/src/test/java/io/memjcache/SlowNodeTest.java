package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import io.memjcache.testing.StallingProxy;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that stops answering but keeps its connections open (behind a proxy that holds its
 * replies): calls on its keys fail at the operation timeout instead of hanging, and the other
 * nodes' keys keep working meanwhile.
 */
class SlowNodeTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  /**
   * Long enough that 100 reads on healthy nodes surely complete within it on a loaded machine
   * (they take a few ms), so "still pending afterwards" proves the overlap.
   */
  private static final long TIMEOUT_MILLIS = 1500;
  /** Scheduling slack on a shared 2-core machine; a hang would take forever, not this. */
  private static final long SLACK_MILLIS = 1600;

  @Test
  void callsOnAStalledNodeTimeOutAtTheConfiguredTimeoutAndOthersAreUnaffected() throws Exception {
    try (StallingProxy proxy = new StallingProxy(CLUSTER.addresses().get(2))) {
      String servers = "127.0.0.1:" + CLUSTER.addresses().get(0).getPort() + ",127.0.0.1:"
          + CLUSTER.addresses().get(1).getPort() + "," + proxy.address();
      URI uri = URI.create("memcached://" + servers + "?namespace=" + ClusterCaches.uniqueNamespace()
          + "&operationTimeoutMillis=" + TIMEOUT_MILLIS);
      try (CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
          .getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {})) {
        Cache<String, Integer> cache = manager.createCache("slow", new MutableConfiguration<String, Integer>());
        @SuppressWarnings("unchecked")
        MemcachedCache<String, Integer> memcached = cache.unwrap(MemcachedCache.class);
        String slowKey = null;
        List<String> otherKeys = new ArrayList<>();
        for (int i = 0; slowKey == null || otherKeys.size() < 20; i++) {
          String key = "k" + i;
          if (memcached.nodeOf(key).equals(proxy.address())) {
            slowKey = slowKey == null ? key : slowKey;
          } else if (otherKeys.size() < 20) {
            otherKeys.add(key);
          }
        }
        cache.put(slowKey, -1);
        for (int i = 0; i < otherKeys.size(); i++) {
          cache.put(otherKeys.get(i), i);
        }

        proxy.stall();
        String stalledKey = slowKey;
        CompletableFuture<Long> slowRead = CompletableFuture.supplyAsync(() -> {
          long start = System.nanoTime();
          CacheException e = assertThrows(CacheException.class, () -> cache.get(stalledKey));
          assertTrue(e.getMessage().contains(proxy.address()) && e.getMessage().contains("did not answer"), e.getMessage());
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        });
        // The stalled read has reached the node (its request went through the proxy) ...
        long sentBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (proxy.requestBytesWhileStalled() == 0 && !slowRead.isDone() && System.nanoTime() < sentBy) {
          Thread.sleep(1);
        }
        assertTrue(proxy.requestBytesWhileStalled() > 0 && !slowRead.isDone(),
            "the stalled read was sent and is pending");
        // ... and while it waits on the stalled node, every other node answers: all these reads
        // complete while it is still pending (a provider that serialized calls would finish the
        // stalled read, at its timeout, before any of them).
        long othersStart = System.nanoTime();
        for (int round = 0; round < 5; round++) {
          for (int i = 0; i < otherKeys.size(); i++) {
            assertEquals(i, cache.get(otherKeys.get(i)));
          }
        }
        long othersMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - othersStart);
        assertFalse(slowRead.isDone(), "the stalled read was still pending when the " + 5 * otherKeys.size()
            + " reads on the other nodes had completed (in " + othersMillis + " ms)");
        long readMillis = slowRead.get(TIMEOUT_MILLIS + SLACK_MILLIS + 2000, TimeUnit.MILLISECONDS);
        assertTrue(readMillis >= TIMEOUT_MILLIS - 50 && readMillis <= TIMEOUT_MILLIS + SLACK_MILLIS,
            "a read on the stalled node took " + readMillis + " ms, timeout " + TIMEOUT_MILLIS);

        long start = System.nanoTime();
        assertThrows(CacheException.class, () -> cache.put(stalledKey, 1));
        long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(writeMillis <= TIMEOUT_MILLIS + SLACK_MILLIS, "a write on the stalled node took " + writeMillis + " ms");

        // A getAll with one key on the stalled node fails as a whole, naming that node, in time.
        Set<String> mixed = new LinkedHashSet<>(otherKeys);
        mixed.add(stalledKey);
        start = System.nanoTime();
        CacheException bulk = assertThrows(CacheException.class, () -> cache.getAll(mixed));
        long bulkMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(bulk.getMessage().contains(proxy.address()) && bulk.getMessage().contains("did not answer"), bulk.getMessage());
        assertTrue(bulkMillis <= TIMEOUT_MILLIS + SLACK_MILLIS, "a getAll with a key on the stalled node took " + bulkMillis + " ms");

        proxy.resume();
        Integer recovered = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
          try {
            cache.put(stalledKey, 2);
            recovered = cache.get(stalledKey);
            break;
          } catch (CacheException e) {
            Thread.sleep(100);
          }
        }
        assertEquals(2, recovered, "once the node answers again its keys work");
        // The replies held back meanwhile went to the calls that timed out, not to this one.
        Map<String, Integer> all = cache.getAll(mixed);
        assertEquals(2, all.get(stalledKey));
        for (int i = 0; i < otherKeys.size(); i++) {
          assertEquals(i, all.get(otherKeys.get(i)), otherKeys.get(i));
        }
      }
    }
  }
}
