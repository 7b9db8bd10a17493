package io.memjcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-your-writes in one JVM with the near cache on, under load: reader threads keep the near
 * cache of a few keys hot while writer threads change them through every kind of write. The model
 * is per key: once a write of version v has returned, no read that starts afterwards — in the
 * writing thread or any other thread of this JVM — may return a version below v. Only this JVM
 * writes, so the near cache's staleness bound (which covers other JVMs' writes) never excuses one.
 */
class NearCacheReadYourWritesTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final int KEYS = 4;
  private static final long RUN_MILLIS = 4_000;

  @Test
  void noReadStartedAfterAWriteReturnedSeesAnOlderValue() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("memjcache.cache.default.nearCache.maxEntries", "1000");
    properties.setProperty("memjcache.cache.default.nearCache.staleness", "300ms");
    URI uri = URI.create("memcached://" + CLUSTER.serverList() + "?namespace=ryw" + UUID.randomUUID().toString().substring(0, 8));
    AtomicLongArray returned = new AtomicLongArray(KEYS);
    LongAdder reads = new LongAdder();
    LongAdder writes = new LongAdder();
    Map<String, LongAdder> violations = new ConcurrentHashMap<>();
    List<String> examples = Collections.synchronizedList(new ArrayList<>());
    try (CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {}, properties)) {
      Cache<String, Long> cache = manager.createCache("ryw", new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
      for (int i = 0; i < KEYS; i++) {
        cache.put("k" + i, 0L);
      }
      ExecutorService threads = Executors.newFixedThreadPool(KEYS / 2 + 3);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
      List<Future<?>> running = new ArrayList<>();
      String[] kinds = {"put", "getAndPut", "replace", "invoke"};
      for (int w = 0; w < KEYS / 2; w++) {
        int writer = w;
        running.add(threads.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          long[] versions = new long[KEYS];
          while (System.nanoTime() < end) {
            int index = writer * 2 + random.nextInt(2);
            String key = "k" + index;
            long next = ++versions[index];
            String kind = kinds[random.nextInt(kinds.length)];
            switch (kind) {
              case "put" -> cache.put(key, next);
              case "getAndPut" -> cache.getAndPut(key, next);
              case "replace" -> cache.replace(key, next);
              default -> cache.invoke(key, (entry, arguments) -> {
                entry.setValue((Long) arguments[0]);
                return null;
              }, next);
            }
            returned.set(index, next);
            writes.increment();
            Long own = cache.get(key);
            if (own == null || own < next) {
              violations.computeIfAbsent("own read after " + kind, k -> new LongAdder()).increment();
              if (examples.size() < 5) {
                examples.add("writer read " + own + " right after its " + kind + " of " + next + " on " + key);
              }
            }
          }
          return null;
        }));
      }
      for (int r = 0; r < 3; r++) {
        running.add(threads.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            int index = random.nextInt(KEYS);
            long floor = returned.get(index);
            Long seen = cache.get("k" + index);
            reads.increment();
            if (seen == null || seen < floor) {
              violations.computeIfAbsent("other thread's read", k -> new LongAdder()).increment();
              if (examples.size() < 5) {
                examples.add("reader read " + seen + " on k" + index + " after the write of " + floor + " returned");
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> future : running) {
        future.get(RUN_MILLIS + 60_000, TimeUnit.MILLISECONDS);
      }
      threads.shutdown();
      long nearHits = cache.unwrap(io.memjcache.MemcachedCache.class).nearCacheStatistics().getNearCacheHits();
      System.out.printf("[near-ryw] %d reads, %d writes, %d near hits, violations %s %s%n",
          reads.sum(), writes.sum(), nearHits, violations, examples);
      assertTrue(nearHits > 1000, "the near cache served too few reads for this test to mean anything: " + nearHits);
    }
    assertTrue(writes.sum() > 100, "too few writes: " + writes.sum());
    assertEquals(Map.of(), Map.copyOf(violations), "reads older than this JVM's returned writes: " + examples);
  }
}
