package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import io.memjcache.testing.StallingProxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fail-over under load across network cuts: threads write and read through two clients while a
 * proxy cuts one node off (memcached keeps its data) and restores it, twice. Every call is
 * logged with its start and end; afterwards a model checks each read against the writes.
 *
 * <p>Violation: a read returns a value written before a cut began although another write of that
 * key (put, remove, replace, getAndPut; any that returned) started after the cut began and ended
 * before the read started: a pre-outage value resurrected. Also a read of a value never written.
 */
class FailOverLoadTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final int THREADS = 4;
  private static final int KEYS_PER_THREAD = 6;
  private static final int CYCLES = 2;

  /** One call: a write (mutation) or a read, and what it wrote or saw. */
  private record Call(String key, boolean write, String value, long start, long end, boolean failed) {}

  @Test
  void noPreOutageValueIsEverReadAfterAWriteMadeDuringTheOutage() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (StallingProxy proxy = new StallingProxy(CLUSTER.addresses().get(0))) {
      String servers = FailOverReturnTest.servers(proxy, CLUSTER);
      try (CacheManager first = FailOverReturnTest.manager(servers, namespace);
          CacheManager second = FailOverReturnTest.manager(servers, namespace)) {
        List<Cache<String, String>> clients = List.of(
            first.createCache("c", new MutableConfiguration<String, String>()),
            second.createCache("c", new MutableConfiguration<String, String>()));
        MemcachedCache<String, String> routing = FailOverReturnTest.routing(clients.get(0));
        List<List<String>> owned = ownedKeys(routing, proxy.address());
        Queue<Call> calls = new ConcurrentLinkedQueue<>();
        List<long[]> cuts = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
          List<Future<?>> workers = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            int thread = t;
            workers.add(pool.submit(() -> work(thread, owned, clients, calls, stop, failures)));
          }
          for (int cycle = 0; cycle < CYCLES; cycle++) {
            Thread.sleep(1_000);
            long cutAt = System.nanoTime();
            proxy.cut();
            Thread.sleep(3_000);
            proxy.restore();
            cuts.add(new long[] {cutAt, System.nanoTime()});
            Thread.sleep(4_000);
          }
          stop.set(true);
          for (Future<?> worker : workers) {
            worker.get(30, TimeUnit.SECONDS);
          }
        } finally {
          stop.set(true);
          pool.shutdownNow();
        }
        check(new ArrayList<>(calls), cuts, failures.get());
      }
    }
  }

  /** Per thread, keys homed on the cut node (most) and elsewhere. */
  private static List<List<String>> ownedKeys(MemcachedCache<String, String> routing, String cutNode) {
    List<List<String>> owned = new ArrayList<>();
    int next = 0;
    for (int t = 0; t < THREADS; t++) {
      List<String> keys = new ArrayList<>();
      while (keys.size() < KEYS_PER_THREAD) {
        String key = "k" + next++;
        boolean onCut = routing.nodeOf(key).equals(cutNode);
        if (onCut || keys.size() >= KEYS_PER_THREAD - 2) {
          keys.add(key);
        }
      }
      owned.add(keys);
    }
    return owned;
  }

  /** Writes only its own keys (one writer per key), reads everyone's, through either client. */
  private static void work(int thread, List<List<String>> owned, List<Cache<String, String>> clients,
      Queue<Call> calls, AtomicBoolean stop, AtomicLong failures) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int seq = 0;
    while (!stop.get() && System.nanoTime() < deadline) {
      Cache<String, String> cache = clients.get(random.nextInt(clients.size()));
      int op = random.nextInt(10);
      boolean write = op < 5;
      String key = write
          ? owned.get(thread).get(random.nextInt(KEYS_PER_THREAD))
          : owned.get(random.nextInt(THREADS)).get(random.nextInt(KEYS_PER_THREAD));
      String value = write && op != 1 ? "t" + thread + "-" + seq++ : null;
      long start = System.nanoTime();
      String seen = null;
      boolean failed = false;
      try {
        switch (op) {
          case 0, 4 -> cache.put(key, value);
          case 1 -> cache.remove(key);
          case 2 -> cache.replace(key, value);
          case 3 -> seen = cache.getAndPut(key, value);
          default -> seen = cache.get(key);
        }
      } catch (CacheException e) {
        failed = true;
        failures.incrementAndGet();
      }
      long end = System.nanoTime();
      if (write) {
        calls.add(new Call(key, true, value, start, end, failed));
      }
      if (!failed && (op == 3 || !write)) {
        calls.add(new Call(key, false, seen, start, end, false));
      }
    }
  }

  private static void check(List<Call> calls, List<long[]> cuts, long failures) {
    Map<String, Call> writeOf = new HashMap<>();
    Map<String, List<Call>> writesByKey = new HashMap<>();
    for (Call call : calls) {
      if (call.write()) {
        if (call.value() != null) {
          writeOf.put(call.value(), call);
        }
        writesByKey.computeIfAbsent(call.key(), k -> new ArrayList<>()).add(call);
      }
    }
    int reads = 0;
    int hits = 0;
    int duringOutages = 0;
    List<String> violations = new ArrayList<>();
    for (Call read : calls) {
      if (read.write()) {
        if (!read.failed() && cuts.stream().anyMatch(c -> read.start() > c[0] && read.end() < c[1])) {
          duringOutages++;
        }
        continue;
      }
      reads++;
      if (read.value() == null) {
        continue;
      }
      hits++;
      Call written = writeOf.get(read.value());
      if (written == null || !written.key().equals(read.key())) {
        violations.add("read " + read.value() + " under " + read.key() + ", never written there");
        continue;
      }
      for (long[] cut : cuts) {
        if (written.end() >= cut[0]) {
          continue;
        }
        for (Call later : writesByKey.get(read.key())) {
          if (!later.failed() && later.start() >= cut[0] && later.end() < read.start()) {
            violations.add("read " + read.value() + " of " + read.key() + " (written before a cut) after "
                + (later.value() == null ? "a remove" : later.value()) + " was written during or after it");
            break;
          }
        }
      }
    }
    System.out.printf("FailOverLoadTest: %d calls, %d reads (%d hits), %d writes done during outages,"
        + " %d failed calls, %d violations%n", calls.size(), reads, hits, duringOutages, failures, violations.size());
    assertTrue(duringOutages > 20, "too few writes succeeded during the outages to test anything: " + duringOutages);
    assertTrue(hits > 100, "too few reads found a value to test anything: " + hits);
    assertEquals(List.of(), violations.subList(0, Math.min(20, violations.size())),
        violations.size() + " violations");
  }
}
