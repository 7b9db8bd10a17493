package io.memjcache.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoaderException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Single flight on real memcached: many callers, in this JVM and in another JVM process, ask for
 * one missing key at the same instant; the loader (200 ms) must run once in total.
 */
class SingleFlightTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final long LOAD_MILLIS = 200;
  private static final long LEASE_MILLIS = 5_000;
  /** The lease of the JVM killed mid-load: how long the others wait for it. */
  private static final long SHORT_LEASE_MILLIS = 1_000;

  static MutableConfiguration<String, String> config() {
    return new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(CountingLoader.class));
  }

  /**
   * {@code threads} threads, spread over {@code caches}, each ask for {@code key} at {@code
   * startAt} (epoch ms); one line per thread: {@code RESULT <value> <waitMillis>} or {@code ERROR
   * <exception> <waitMillis>}.
   */
  static List<String> askAt(List<Cache<String, String>> caches, String key, int threads, long startAt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Cache<String, String> cache = caches.get(t % caches.size());
        answers.add(pool.submit(() -> {
          long pause = startAt - System.currentTimeMillis();
          if (pause > 0) {
            Thread.sleep(pause);
          }
          long start = System.nanoTime();
          try {
            String value = cache.get(key);
            return "RESULT " + value + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          } catch (RuntimeException e) {
            return "ERROR " + e.getClass().getSimpleName() + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          }
        }));
      }
      List<String> lines = new ArrayList<>();
      for (Future<String> answer : answers) {
        lines.add(answer.get(60, TimeUnit.SECONDS));
      }
      return lines;
    } finally {
      pool.shutdownNow();
    }
  }

  private String namespace;

  @BeforeEach
  void reset() {
    namespace = "flight" + UUID.randomUUID().toString().substring(0, 8);
    CountingLoader.LOADS.set(0);
    CountingLoader.FAILURES_LEFT.set(0);
  }

  private CacheManager manager() {
    return manager(new Properties());
  }

  private CacheManager manager(Properties properties) {
    URI uri = URI.create("memcached://" + CLUSTER.serverList() + "?namespace=" + namespace);
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {}, properties);
  }

  private Process worker(String key, int threads, long startAt, String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), FlightWorkerMain.class.getName(),
        CLUSTER.serverList(), namespace, key, String.valueOf(threads), String.valueOf(startAt)));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** The worker's output lines, read in the background. */
  private static LinkedBlockingQueue<String> lines(Process process) {
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static String await(LinkedBlockingQueue<String> lines, String prefix, List<String> seen) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        seen.add(line);
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }
    throw new AssertionError("the worker never printed " + prefix + "; it printed " + seen);
  }

  private static long longestWait(List<String> results) {
    return results.stream().mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))).max().orElse(0);
  }

  @Test
  void oneLoadForSixtyFourCallersInTwoJvms() throws Exception {
    String key = "hot";
    long startAt = System.currentTimeMillis() + 6_000;
    Process other = worker(key, 32, startAt, "-Dflight.loadMillis=" + LOAD_MILLIS);
    LinkedBlockingQueue<String> output = lines(other);
    List<String> workerLines = new ArrayList<>();
    try (CacheManager manager = manager()) {
      Cache<String, String> cache = manager.createCache("flight", config());
      await(output, "READY", workerLines);
      List<String> here = askAt(List.of(cache), key, 32, startAt);
      String loadsThere = await(output, "LOADS", workerLines);
      assertTrue(other.waitFor(30, TimeUnit.SECONDS));
      List<String> all = new ArrayList<>(here);
      workerLines.stream().filter(line -> line.startsWith("RESULT") || line.startsWith("ERROR")).forEach(all::add);
      int loads = CountingLoader.LOADS.get() + Integer.parseInt(loadsThere.substring("LOADS ".length()));
      System.out.printf("[single-flight] 2 JVMs x 32 threads, loader %d ms: %d loader call(s), longest wait %d ms%n",
          LOAD_MILLIS, loads, longestWait(all));
      assertEquals(64, all.size(), "answers: " + all);
      all.forEach(line -> assertTrue(line.startsWith("RESULT value-of-hot "), line));
      assertEquals(1, loads, "loader calls over both JVMs");
      assertTrue(longestWait(all) < LOAD_MILLIS + 2_000, "a caller waited far longer than the load: " + longestWait(all) + " ms");
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void getGetAllAndInvokeOfTwoManagersShareOneLoad() throws Exception {
    AtomicInteger processorLoads = new AtomicInteger();
    try (CacheManager first = manager(); CacheManager second = manager()) {
      List<Cache<String, String>> caches = List.of(first.createCache("flight", config()), second.createCache("flight", config()));
      ExecutorService pool = Executors.newFixedThreadPool(24);
      List<Future<String>> answers = new ArrayList<>();
      long startAt = System.currentTimeMillis() + 300;
      for (int t = 0; t < 24; t++) {
        Cache<String, String> cache = caches.get(t % 2);
        int kind = t % 3;
        answers.add(pool.submit(() -> {
          Thread.sleep(Math.max(0, startAt - System.currentTimeMillis()));
          return switch (kind) {
            case 0 -> cache.get("shared");
            case 1 -> cache.getAll(Set.of("shared")).get("shared");
            // What Spring's @Cacheable(sync = true) does: load in the processor when absent.
            default -> cache.invoke("shared", (entry, arguments) -> {
              if (entry.exists()) {
                return entry.getValue();
              }
              processorLoads.incrementAndGet();
              String value = new CountingLoader().load("shared");
              entry.setValue(value);
              return value;
            });
          };
        }));
      }
      for (Future<String> answer : answers) {
        assertEquals("value-of-shared", answer.get(60, TimeUnit.SECONDS));
      }
      pool.shutdown();
    }
    System.out.printf("[single-flight] get/getAll/invoke over 2 managers x 12 threads: %d load(s), %d by a processor%n",
        CountingLoader.LOADS.get(), processorLoads.get());
    assertEquals(1, CountingLoader.LOADS.get(), "loads of one key by get, getAll and invoke together");
  }

  @Test
  void withSingleFlightOffEveryCallerLoads() throws Exception {
    Properties off = new Properties();
    off.setProperty("memjcache.cache.flight.singleFlight", "false");
    try (CacheManager first = manager(off); CacheManager second = manager(off)) {
      List<Cache<String, String>> caches = List.of(first.createCache("flight", config()), second.createCache("flight", config()));
      List<String> answers = askAt(caches, "cold", 8, System.currentTimeMillis() + 300);
      answers.forEach(line -> assertTrue(line.startsWith("RESULT value-of-cold "), line));
      System.out.printf("[single-flight] off: 8 callers, %d loads%n", CountingLoader.LOADS.get());
      assertTrue(CountingLoader.LOADS.get() > 1, "with singleFlight=false the callers load for themselves");
    }
  }

  @Test
  void aLoaderThatThrowsReleasesTheLeaseAndTheNextCallerLoads() throws Exception {
    CountingLoader.FAILURES_LEFT.set(1);
    try (CacheManager manager = manager()) {
      Cache<String, String> cache = manager.createCache("flight", config());
      List<String> answers = askAt(List.of(cache), "fail-1", 8, System.currentTimeMillis() + 200);
      System.out.println("[single-flight] with a failing loader: " + answers);
      assertEquals(1, CountingLoader.LOADS.get(), "one load for the eight callers");
      answers.forEach(line -> assertTrue(line.startsWith("ERROR CacheLoaderException"), line));
      long start = System.nanoTime();
      assertEquals("value-of-fail-1", cache.get("fail-1"));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(2, CountingLoader.LOADS.get(), "the next caller loads again");
      assertTrue(millis < LEASE_MILLIS, "the next caller waited for the failed load's lease: " + millis + " ms");
    }
  }

  @Test
  void whenTheLeadingJvmIsKilledMidLoadAnotherLoadsOnceItsLeaseRunsOut() throws Exception {
    String key = "orphan";
    Process leader = worker(key, 1, 0, "-Dflight.hang=true", "-Dmemjcache.cache.default.loadLease=" + SHORT_LEASE_MILLIS + "ms");
    LinkedBlockingQueue<String> output = lines(leader);
    List<String> leaderLines = new ArrayList<>();
    try (CacheManager manager = manager()) {
      Cache<String, String> cache = manager.createCache("flight", config());
      await(output, "LOADING", leaderLines);
      long killAt = System.currentTimeMillis() + 500;
      List<String> answers = Collections.synchronizedList(new ArrayList<>());
      Thread askers = new Thread(() -> {
        try {
          answers.addAll(askAt(List.of(cache), key, 8, System.currentTimeMillis()));
        } catch (Exception e) {
          answers.add("ERROR " + e);
        }
      });
      askers.start();
      Thread.sleep(Math.max(0, killAt - System.currentTimeMillis()));
      leader.destroyForcibly();
      askers.join(60_000);
      System.out.printf("[single-flight] leader killed mid-load: %d load(s) here, longest wait %d ms, answers %s%n",
          CountingLoader.LOADS.get(), longestWait(answers), answers);
      assertEquals(8, answers.size());
      answers.forEach(line -> assertTrue(line.startsWith("RESULT value-of-orphan "), line));
      assertEquals(1, CountingLoader.LOADS.get(), "one load here once the dead leader's lease ran out");
      assertTrue(longestWait(answers) < SHORT_LEASE_MILLIS + LOAD_MILLIS + 3_000, "waited " + longestWait(answers) + " ms");
    } finally {
      leader.destroyForcibly();
    }
  }
}
