package io.memjcache.spring.boot;

import io.memjcache.MemcachedCache;
import io.memjcache.MemcachedCacheManager;
import io.memjcache.near.NearCacheStatistics;
import io.memjcache.store.NodeStatistics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import javax.cache.Cache;

/**
 * MemJCache's meters beyond Micrometer's JCache ones, for the nodes and caches that exist when the
 * registry binds them:
 *
 * <ul>
 *   <li>{@code memjcache.node.operations}, {@code .errors}, {@code .timeouts} (counters) and
 *       {@code memjcache.node.latency} (the round trips of single-key calls), tag {@code node};
 *   <li>{@code memjcache.near.hits}, {@code .misses} (counters) and {@code memjcache.near.size}, tag
 *       {@code cache}, for the caches with a near cache.
 * </ul>
 *
 * A meter of a closed manager reads 0.
 */
public class MemJCacheMeterBinder implements MeterBinder {

  private final MemcachedCacheManager manager;

  public MemJCacheMeterBinder(MemcachedCacheManager manager) {
    this.manager = manager;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (NodeStatistics node : manager.nodeStatistics()) {
      String name = node.node();
      nodeCounter(registry, "memjcache.node.operations", "commands sent to the node (a multi-get counts one per key)",
          name, NodeStatistics::commands);
      nodeCounter(registry, "memjcache.node.errors", "calls that failed on the node, timeouts aside", name,
          NodeStatistics::errors);
      nodeCounter(registry, "memjcache.node.timeouts", "calls the node did not answer within the operation timeout",
          name, NodeStatistics::timeouts);
      FunctionTimer.builder("memjcache.node.latency", manager,
              m -> read(m, name, NodeStatistics::timedCalls),
              m -> read(m, name, statistics -> statistics.totalLatency().toNanos()), TimeUnit.NANOSECONDS)
          .description("round trips of single-key calls to the node")
          .tag("node", name)
          .register(registry);
    }
    for (String cacheName : manager.getCacheNames()) {
      Cache<?, ?> cache = manager.getCache(cacheName);
      NearCacheStatistics near = cache == null ? null : cache.unwrap(MemcachedCache.class).nearCacheStatistics();
      if (near == null) {
        continue;
      }
      FunctionCounter.builder("memjcache.near.hits", near, NearCacheStatistics::getNearCacheHits)
          .description("reads answered from the near cache").tag("cache", cacheName).register(registry);
      FunctionCounter.builder("memjcache.near.misses", near, NearCacheStatistics::getNearCacheMisses)
          .description("reads that went to memcached").tag("cache", cacheName).register(registry);
      Gauge.builder("memjcache.near.size", near, NearCacheStatistics::getNearCacheSize)
          .description("entries in the near cache").tag("cache", cacheName).register(registry);
    }
  }

  private void nodeCounter(MeterRegistry registry, String meter, String description, String node,
      ToLongFunction<NodeStatistics> count) {
    FunctionCounter.builder(meter, manager, m -> read(m, node, count))
        .description(description)
        .tag("node", node)
        .register(registry);
  }

  private static long read(MemcachedCacheManager manager, String node, ToLongFunction<NodeStatistics> count) {
    if (manager.isClosed()) {
      return 0;
    }
    for (NodeStatistics statistics : manager.nodeStatistics()) {
      if (statistics.node().equals(node)) {
        return count.applyAsLong(statistics);
      }
    }
    return 0;
  }
}
