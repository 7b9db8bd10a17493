package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cache with an asynchronous listener closed while another thread writes to it, on a real
 * memcached node: an event raised by a write that races with close must not start a delivery
 * thread that outlives the cache.
 */
class AsyncListenerCloseTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  static final AtomicInteger HEARD = new AtomicInteger();

  /** Counts what it hears. */
  public static final class Counting
      implements CacheEntryCreatedListener<String, Integer>, CacheEntryUpdatedListener<String, Integer>, Serializable {
    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends Integer>> events) {
      events.forEach(e -> HEARD.incrementAndGet());
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Integer>> events) {
      events.forEach(e -> HEARD.incrementAndGet());
    }
  }

  private static List<String> eventThreads(String cacheName) {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().equals("memjcache-events-" + cacheName)) {
        names.add(thread.getName());
      }
    }
    return names;
  }

  @Test
  void anEventRacingCloseStartsNoThreadThatOutlivesTheCache() throws Exception {
    List<String> leftBehind = new ArrayList<>();
    int heardBefore = HEARD.get();
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      for (int round = 0; round < 30; round++) {
        String name = "race" + round;
        MutableConfiguration<String, Integer> configuration = new MutableConfiguration<String, Integer>()
            .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(Counting.class), null, false, false));
        Cache<String, Integer> cache = manager.createCache(name, configuration);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
          int id = w;
          Thread writer = new Thread(() -> {
            long deadline = System.nanoTime() + 5_000_000_000L;
            for (int i = 0; !stop.get() && System.nanoTime() < deadline; i++) {
              try {
                cache.put("k" + id + "-" + (i % 50), i);
              } catch (IllegalStateException closed) {
                return;
              }
            }
          });
          writer.start();
          writers.add(writer);
        }
        Thread.sleep(30);
        cache.close();
        stop.set(true);
        for (Thread writer : writers) {
          writer.join(10_000);
        }
        // Bounded wait (2 s, well under the delivery thread's idle timeout) for the thread to end.
        for (int i = 0; i < 40 && !eventThreads(name).isEmpty(); i++) {
          Thread.sleep(50);
        }
        leftBehind.addAll(eventThreads(name));
      }
    }
    assertTrue(HEARD.get() > heardBefore, "the listener heard events");
    assertEquals(List.of(), leftBehind, "event threads alive after their cache closed");
  }
}
