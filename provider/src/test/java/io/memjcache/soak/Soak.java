package io.memjcache.soak;

import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/**
 * A bounded soak: mixed operations from 8 threads against 3 real memcached nodes for a few
 * minutes, while a side loop keeps opening and closing CacheManagers (with near caches). Prints the
 * operation and error counts and the heap after a full GC every 30 s, and fails (exit 1) when the
 * heap grows, or when threads or server connections are left behind once everything is closed.
 *
 * <p>Run by {@code provider/soak.sh} (not part of {@code .ci/run}): {@code Soak [minutes]}.
 */
public final class Soak {

  private static final int THREADS = 8;
  private static final int KEYS = 5_000;
  /** Heap growth (after full GC) tolerated between the first and the last sample. */
  private static final long HEAP_SLACK_BYTES = 16L << 20;

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  public static void main(String[] args) throws Exception {
    double minutes = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    System.exit(new Soak().run(Duration.ofMillis((long) (minutes * 60_000))) ? 0 : 1);
  }

  private boolean run(Duration length) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (MemcachedCluster cluster = MemcachedCluster.start(3)) {
      List<String> threadsBefore = ownThreads();
      long connectionsBefore = connections(cluster);
      CachingProvider provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
      URI uri = URI.create("memcached://" + cluster.serverList() + "?namespace=soak");
      CacheManager manager = provider.getCacheManager(uri, new ClassLoader(Soak.class.getClassLoader()) {});
      Cache<String, String> cache = manager.createCache("mixed", new MutableConfiguration<String, String>());
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Thread worker = new Thread(() -> work(cache), "soak-" + i);
        worker.start();
        workers.add(worker);
      }
      Thread churn = new Thread(() -> churnManagers(provider, cluster), "soak-churn");
      churn.start();

      long end = System.nanoTime() + length.toNanos();
      List<Long> heap = new ArrayList<>();
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(30_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        System.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        heap.add(used);
        System.out.printf("[soak] heap after GC %.1f MiB; operations %s; errors %s; threads %d%n",
            used / 1048576.0, new TreeMap<>(counts), new TreeMap<>(errors), ownThreads().size());
      }
      running = false;
      for (Thread worker : workers) {
        worker.join();
      }
      churn.join();
      manager.close();
      Thread.sleep(1000); // closed sockets and threads wind down
      System.gc();
      List<String> threadsAfter = ownThreads();
      long connectionsAfter = connections(cluster);
      long operations = counts.values().stream().mapToLong(AtomicLong::get).sum();
      long errorCount = errors.values().stream().mapToLong(AtomicLong::get).sum();
      long firstHeap = heap.get(0);
      long lastHeap = heap.get(heap.size() - 1);
      System.out.printf("[soak] %s: %d operations, %d errors; heap after GC first %.1f MiB, last %.1f MiB;"
              + " threads before %d, after %d; server connections before %d, after %d%n",
          length, operations, errorCount, firstHeap / 1048576.0, lastHeap / 1048576.0,
          threadsBefore.size(), threadsAfter.size(), connectionsBefore, connectionsAfter);
      boolean ok = true;
      if (errorCount > 0) {
        System.out.println("[soak] FAIL: errors on a healthy cluster");
        ok = false;
      }
      if (lastHeap - firstHeap > HEAP_SLACK_BYTES) {
        System.out.println("[soak] FAIL: heap grew by more than " + (HEAP_SLACK_BYTES >> 20) + " MiB");
        ok = false;
      }
      if (threadsAfter.size() > threadsBefore.size()) {
        System.out.println("[soak] FAIL: threads left behind: before " + threadsBefore + ", after " + threadsAfter);
        ok = false;
      }
      if (connectionsAfter > connectionsBefore) {
        System.out.println("[soak] FAIL: server connections left open");
        ok = false;
      }
      System.out.println(ok ? "[soak] PASS" : "[soak] FAILED");
      return ok;
    }
  }

  private void work(Cache<String, String> cache) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running) {
      String key = "k" + random.nextInt(KEYS);
      String op = switch (random.nextInt(10)) {
        case 0, 1, 2, 3 -> "get";
        case 4, 5 -> "put";
        case 6 -> "getAll";
        case 7 -> "invoke";
        case 8 -> "putIfAbsent";
        default -> "remove";
      };
      try {
        switch (op) {
          case "get" -> cache.get(key);
          case "put" -> cache.put(key, "v" + random.nextInt(1_000_000) + "x".repeat(random.nextInt(2_000)));
          case "getAll" -> {
            Set<String> keys = new HashSet<>();
            for (int i = 0; i < 20; i++) {
              keys.add("k" + random.nextInt(KEYS));
            }
            cache.getAll(keys);
          }
          case "invoke" -> cache.invoke(key, (entry, args) -> {
            entry.setValue(entry.exists() ? entry.getValue() + "+" : "new");
            return null;
          });
          case "putIfAbsent" -> cache.putIfAbsent(key, "first");
          default -> cache.remove(key);
        }
        counts.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
      } catch (CacheException e) {
        errors.computeIfAbsent(op + ": " + e.getMessage(), k -> new AtomicLong()).incrementAndGet();
      }
    }
  }

  /** Opens a manager with a near-cached cache, uses it, closes it; again and again. */
  private void churnManagers(CachingProvider provider, MemcachedCluster cluster) {
    int round = 0;
    while (running) {
      URI uri = URI.create("memcached://" + cluster.serverList() + "?namespace=churn" + (round++ % 4)
          + "&cache.default.nearCache.maxEntries=1000");
      try (CacheManager manager = provider.getCacheManager(uri, new ClassLoader(Soak.class.getClassLoader()) {})) {
        Cache<Integer, String> cache = manager.createCache("c", new MutableConfiguration<Integer, String>());
        for (int i = 0; i < 200; i++) {
          cache.put(i, "v" + i);
          cache.get(i);
        }
        counts.computeIfAbsent("managerOpenClose", k -> new AtomicLong()).incrementAndGet();
      } catch (CacheException e) {
        errors.computeIfAbsent("churn: " + e.getMessage(), k -> new AtomicLong()).incrementAndGet();
      }
    }
  }

  /** Open client connections on all nodes, from memcached's own count (minus our stats probe). */
  private static long connections(MemcachedCluster cluster) {
    long total = 0;
    for (int i = 0; i < cluster.size(); i++) {
      total += cluster.stat(i, "curr_connections");
    }
    return total;
  }

  /**
   * Live threads but the JVM's own pools (the common ForkJoinPool, which Caffeine uses and which
   * retires idle workers by itself, and the process reapers of the memcached processes).
   */
  private static List<String> ownThreads() {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      if (!name.startsWith("ForkJoinPool.commonPool-worker-") && !name.startsWith("process reaper")) {
        names.add(name);
      }
    }
    names.sort(null);
    return names;
  }

}
