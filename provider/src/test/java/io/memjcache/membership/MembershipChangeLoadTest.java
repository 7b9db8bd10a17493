package io.memjcache.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.testing.MemcachedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model check: 8 threads of get/put/remove/invoke through two managers (each call
 * through either, at random) on 200 keys, while a fourth node is added to both managers at the
 * same moment, removed, and added back. Every call is logged on one global sequence and the log is
 * checked by {@link ModelCheck}: zero reads older than the model allows (misses allowed). Errors
 * are counted per phase; once both managers report the change settled there must be none.
 */
class MembershipChangeLoadTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(4);

  private static final int THREADS = 8;
  private static final int KEYS = 200;
  private static final long BASE_MILLIS = 3_000;
  private static final long AFTER_SETTLE_MILLIS = 2_000;
  /** Hard bound on each worker, whatever happens to the phases. */
  private static final long WORKER_LIMIT_MILLIS = 150_000;

  /** One order of call starts and ends across threads. */
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** A phase: from its start, through its change (if any) and the settling, to the next phase. */
  static final class Phase {
    final String name;
    final long start;
    long changed;
    long settled;
    long changeMillis;
    long settleMillis;
    long ops;
    long misses;
    long hits;
    long errors;
    long errorsAfterSettle;
    final List<String> violations = new ArrayList<>();
    final List<String> errorSamples = new ArrayList<>();

    Phase(String name, long start) {
      this.name = name;
      this.start = start;
      this.changed = start;
      this.settled = start;
    }

    /** Where a call began relative to this phase's change. */
    String moment(Call call) {
      return call.start() < changed ? "while setServers ran" : call.start() < settled ? "before settled" : "after settled";
    }
  }

  /** Sets the value passed as its argument and returns the one it replaced. */
  static final class SetUnique implements EntryProcessor<String, String, String> {
    @Override
    public String process(MutableEntry<String, String> entry, Object... arguments) {
      String old = entry.exists() ? entry.getValue() : null;
      entry.setValue((String) arguments[0]);
      return old;
    }
  }

  @Test
  void noReadIsOlderThanTheModelAllowsAcrossAddRemoveAdd() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String three = Membership.servers(CLUSTER, 0, 1, 2);
    String four = Membership.servers(CLUSTER, 0, 1, 2, 3);
    try (MemcachedCacheManager first = Membership.manager(three, namespace);
        MemcachedCacheManager second = Membership.manager(three, namespace)) {
      MutableConfiguration<String, String> strings =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      List<Cache<String, String>> caches =
          List.of(first.createCache("c", strings), second.createCache("c", strings));
      List<Phase> phases = new ArrayList<>();
      List<List<Call>> logs = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService workers = Executors.newFixedThreadPool(THREADS);
      ExecutorService changers = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          List<Call> log = new ArrayList<>();
          logs.add(log);
          int thread = t;
          running.add(workers.submit(() -> work(thread, caches, log, stop)));
        }
        phases.add(new Phase("3-nodes", SEQUENCE.get()));
        Thread.sleep(BASE_MILLIS);
        phases.add(change("add-4th", four, changers, first, second));
        phases.add(change("remove-4th", three, changers, first, second));
        phases.add(change("re-add-4th", four, changers, first, second));
        stop.set(true);
        for (Future<?> worker : running) {
          worker.get(30, TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
        workers.shutdownNow();
        changers.shutdownNow();
      }
      List<Call> calls = new ArrayList<>();
      logs.forEach(calls::addAll);
      List<String> violations = ModelCheck.violations(calls, (read, text) -> {
        Phase phase = phaseOf(phases, read);
        phase.violations.add(text + " (" + phase.moment(read) + ")");
      });
      tally(phases, calls);
      report(phases, calls.size(), violations.size());

      for (Phase phase : phases) {
        assertTrue(phase.ops > 500 && phase.hits > 100,
            "phase " + phase.name + " ran too little load to check anything: " + phase.ops + " ops, " + phase.hits + " hits");
      }
      assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())),
          violations.size() + " reads older than the model allows");
      for (Phase phase : phases) {
        assertEquals(0, phase.errorsAfterSettle, "errors after phase " + phase.name + " settled: " + phase.errorSamples);
      }
    }
  }

  /** Both managers change at the same moment (two threads); then the change settles and load goes on. */
  private static Phase change(String name, String servers, ExecutorService changers,
      MemcachedCacheManager first, MemcachedCacheManager second) throws Exception {
    Phase phase = new Phase(name, SEQUENCE.incrementAndGet());
    CountDownLatch ready = new CountDownLatch(2);
    List<Future<?>> calls = new ArrayList<>();
    for (MemcachedCacheManager manager : List.of(first, second)) {
      calls.add(changers.submit(() -> {
        ready.countDown();
        ready.await(10, TimeUnit.SECONDS);
        manager.setServers(servers);
        return null;
      }));
    }
    long began = System.nanoTime();
    for (Future<?> call : calls) {
      call.get(30, TimeUnit.SECONDS);
    }
    phase.changed = SEQUENCE.incrementAndGet();
    phase.changeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertTrue(Membership.awaitSettled(Membership.SETTLE_TIMEOUT_MILLIS, first, second),
        name + ": membership not settled within " + Membership.SETTLE_TIMEOUT_MILLIS + " ms");
    phase.settled = SEQUENCE.incrementAndGet();
    phase.settleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    Thread.sleep(AFTER_SETTLE_MILLIS);
    return phase;
  }

  /** Random calls on random keys through a random manager; values unique per write. */
  private static void work(int thread, List<Cache<String, String>> caches, List<Call> log, AtomicBoolean stop) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    EntryProcessor<String, String, String> setUnique = new SetUnique();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WORKER_LIMIT_MILLIS);
    long counter = 0;
    while (!stop.get() && System.nanoTime() < deadline) {
      Cache<String, String> cache = caches.get(random.nextInt(caches.size()));
      int key = random.nextInt(KEYS);
      int dice = random.nextInt(20);
      int kind = dice < 8 ? Call.GET : dice < 13 ? Call.PUT : dice < 15 ? Call.REMOVE : Call.INVOKE;
      long written = kind == Call.PUT || kind == Call.INVOKE ? (thread + 1) * 1_000_000_000L + ++counter : 0;
      long seen = -1;
      String error = null;
      long start = SEQUENCE.incrementAndGet();
      try {
        switch (kind) {
          case Call.GET -> seen = Call.parse(cache.get("k" + key));
          case Call.PUT -> cache.put("k" + key, "v" + written);
          case Call.REMOVE -> cache.remove("k" + key);
          default -> seen = Call.parse(cache.invoke("k" + key, setUnique, "v" + written));
        }
      } catch (RuntimeException e) { // a CacheException mostly; any other counts as an error too
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      log.add(new Call(key, kind, written, seen, start, SEQUENCE.incrementAndGet(), error));
    }
  }

  private static Phase phaseOf(List<Phase> phases, Call call) {
    Phase found = phases.get(0);
    for (Phase phase : phases) {
      if (phase.start <= call.start()) {
        found = phase;
      }
    }
    return found;
  }

  private static void tally(List<Phase> phases, List<Call> calls) {
    for (Call call : calls) {
      Phase phase = phaseOf(phases, call);
      phase.ops++;
      if (call.failed()) {
        phase.errors++;
        boolean settled = call.start() > phase.settled;
        phase.errorsAfterSettle += settled ? 1 : 0;
        if (phase.errorSamples.size() < 3 || settled && phase.errorsAfterSettle <= 3) {
          phase.errorSamples.add(call + " (" + phase.moment(call) + ")");
        }
      } else if (call.reads()) {
        if (call.seen() == 0) {
          phase.misses++;
        } else {
          phase.hits++;
        }
      }
    }
  }

  private static void report(List<Phase> phases, int calls, int violations) {
    for (Phase phase : phases) {
      System.out.printf("[membership] phase %s: %d ops, %d misses, %d hits, violations %d, errors %d"
              + " (after settle %d); setServers %d ms, settled %d ms after it began%n",
          phase.name, phase.ops, phase.misses, phase.hits, phase.violations.size(), phase.errors,
          phase.errorsAfterSettle, phase.changeMillis, phase.settleMillis);
      phase.violations.stream().limit(3).forEach(v -> System.out.println("[membership]   " + v));
      phase.errorSamples.stream().limit(3).forEach(e -> System.out.println("[membership]   error: " + e));
    }
    System.out.printf("[membership] total: %d ops, violations %d%n", calls, violations);
  }
}
