package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CompletionListenerFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-through fills against concurrent writers in another CacheManager (another JVM, as far as
 * memcached can tell): a value the loader fetched before a write must never overwrite that write.
 *
 * <p>The model: a "database" holds one version per key; each key has one writer thread that
 * publishes a new version to the database and then either puts it into the cache or removes the
 * key from the cache (an invalidation). Once that cache call has returned, the version is
 * <i>committed</i>: any read that starts afterwards — get, getAll, invoke, or loadAll followed by a
 * get, through either manager — must see that version or a newer one. The loader is slow, so
 * fills race with the writes all the time. Every read older than the committed version when the
 * read started is a violation.
 */
class ReadThroughFillRaceTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final int KEYS = 6;
  private static final long RUN_MILLIS = 4_000;

  /** The database behind the loader, shared by the test's managers: version per key. */
  static final AtomicLongArray DATABASE = new AtomicLongArray(KEYS);

  /** Reads the database, then takes its time before answering, as a remote database would. */
  public static final class SlowDatabaseLoader implements CacheLoader<String, Long>, java.io.Serializable {
    @Override
    public Long load(String key) {
      long version = DATABASE.get(index(key));
      pause();
      return version;
    }

    @Override
    public Map<String, Long> loadAll(Iterable<? extends String> keys) {
      Map<String, Long> versions = new java.util.HashMap<>();
      keys.forEach(key -> versions.put(key, DATABASE.get(index(key))));
      pause();
      return versions;
    }

    private static void pause() {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 4));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static int index(String key) {
    return Integer.parseInt(key.substring(1));
  }

  @Test
  void aLoadedValueNeverOverwritesAWriteMadeWhileItWasLoading() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    MutableConfiguration<String, Long> config = new MutableConfiguration<String, Long>()
        .setTypes(String.class, Long.class)
        .setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(SlowDatabaseLoader.class));
    for (int i = 0; i < KEYS; i++) {
      DATABASE.set(i, 0);
    }
    AtomicLongArray committed = new AtomicLongArray(KEYS);
    LongAdder reads = new LongAdder();
    LongAdder writes = new LongAdder();
    Map<String, LongAdder> violations = new ConcurrentHashMap<>();
    List<String> examples = java.util.Collections.synchronizedList(new ArrayList<>());

    try (CacheManager first = ClusterCaches.newManager(CLUSTER, namespace);
        CacheManager second = ClusterCaches.newManager(CLUSTER, namespace)) {
      List<Cache<String, Long>> caches = List.of(first.createCache("db", config), second.createCache("db", config));
      ExecutorService threads = Executors.newFixedThreadPool(KEYS / 2 + 6);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
      List<Future<?>> running = new ArrayList<>();
      // One writer per two keys keeps the versions of a key in order.
      for (int w = 0; w < KEYS / 2; w++) {
        int writer = w;
        running.add(threads.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          AtomicLong version = new AtomicLong();
          while (System.nanoTime() < end) {
            int index = writer * 2 + random.nextInt(2);
            String key = "k" + index;
            long next = Math.max(DATABASE.get(index), version.get()) + 1;
            version.set(next);
            DATABASE.set(index, next);
            Cache<String, Long> cache = caches.get(random.nextInt(2));
            if (random.nextBoolean()) {
              cache.put(key, next);
            } else {
              cache.remove(key);
            }
            committed.set(index, next);
            writes.increment();
            pause(random);
          }
          return null;
        }));
      }
      String[] operations = {"get", "getAll", "invoke", "loadAll"};
      for (int r = 0; r < 6; r++) {
        String operation = operations[r % operations.length];
        running.add(threads.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            int index = random.nextInt(KEYS);
            String key = "k" + index;
            Cache<String, Long> cache = caches.get(random.nextInt(2));
            long floor = committed.get(index);
            Long seen = read(operation, cache, key);
            reads.increment();
            if (seen == null || seen < floor) {
              violations.computeIfAbsent(operation, o -> new LongAdder()).increment();
              if (examples.size() < 5) {
                examples.add(operation + " " + key + " read " + seen + " after version " + floor + " was committed");
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
    }
    System.out.printf("[fill-race] %d reads, %d writes, violations %s %s%n", reads.sum(), writes.sum(), violations, examples);
    assertTrue(reads.sum() > 100 && writes.sum() > 100, "the load test did too little to mean anything");
    assertEquals(Map.of(), Map.copyOf(violations), "reads older than a committed write: " + examples);
  }

  private static Long read(String operation, Cache<String, Long> cache, String key) throws Exception {
    switch (operation) {
      case "get" -> {
        return cache.get(key);
      }
      case "getAll" -> {
        return cache.getAll(Set.of(key, "k" + ((index(key) + 1) % KEYS))).get(key);
      }
      case "invoke" -> {
        return cache.invoke(key, (entry, arguments) -> entry.getValue());
      }
      default -> {
        CompletionListenerFuture done = new CompletionListenerFuture();
        cache.loadAll(Set.of(key), false, done);
        done.get(10, TimeUnit.SECONDS);
        return cache.get(key);
      }
    }
  }

  private static void pause(ThreadLocalRandom random) throws InterruptedException {
    Thread.sleep(random.nextInt(0, 3));
  }
}
