package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.Closeable;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A loader is closed only after the loads in flight (a background loadAll) have ended, and is never
 * called once closed: a Closeable loader that talks to a database must not be used after close.
 */
class LoaderCloseTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  static final List<String> EVENTS = new CopyOnWriteArrayList<>();
  static final CountDownLatch LOADING = new CountDownLatch(1);

  public static final class SlowClosingLoader implements CacheLoader<String, String>, Closeable, Serializable {
    @Override
    public String load(String key) {
      return loadAll(List.of(key)).get(key);
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      EVENTS.add("load started");
      LOADING.countDown();
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      EVENTS.add("load ended");
      return Map.of("a", "loaded");
    }

    @Override
    public void close() {
      EVENTS.add("closed");
    }
  }

  @Test
  void closingTheCacheWaitsForTheBackgroundLoadAndThenClosesTheLoader() throws Exception {
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace())) {
      Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<String, String>()
          .setCacheLoaderFactory(FactoryBuilder.factoryOf(SlowClosingLoader.class)));
      cache.loadAll(Set.of("a"), false, null);
      assertTrue(LOADING.await(10, TimeUnit.SECONDS), "the background load never started");
      cache.close();
      assertEquals(List.of("load started", "load ended", "closed"), List.copyOf(EVENTS));
    }
  }
}
