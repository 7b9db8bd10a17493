package io.memjcache.membership;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.testing.MemcachedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model check: 8 threads of get/getAll/put/remove/invoke through two managers (each
 * call through either, at random) on 200 keys, while a fourth node is added to both managers,
 * removed, and added back. Every call is logged on one global sequence and the log is checked by
 * {@link ModelCheck}: zero reads older than the model allows (misses allowed). Errors are counted
 * per phase; once both managers report a change settled there must be none.
 */
class MembershipChangeLoadTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(4);

  private static final int THREADS = 8;
  private static final int KEYS = 200;
  private static final long BASE_MILLIS = 3_000;
  private static final long AFTER_SETTLE_MILLIS = 2_000;
  /** Hard bound on each worker, whatever happens to the phases. */
  private static final long WORKER_LIMIT_MILLIS = 150_000;
  /**
   * The settle time the managers end up with: the configured 2 s ({@link Membership#SETTLE}), which
   * is also the floor of twice the 1 s operation timeout.
   */
  private static final long SETTLE_MILLIS = 2_000;

  /** One order of call starts and ends across threads. */
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** The phases of one test, run while the load goes on. */
  private interface Script {
    void run(MemcachedCacheManager first, MemcachedCacheManager second, Phases phases) throws Exception;
  }

  /** Both managers change at the same moment (from two threads). */
  @Test
  void noReadIsOlderThanTheModelAllowsAcrossAddRemoveAdd() throws Exception {
    String three = Membership.servers(CLUSTER, 0, 1, 2);
    String four = Membership.servers(CLUSTER, 0, 1, 2, 3);
    underLoad(new Phases("[membership]"), three, (first, second, phases) -> {
      phases.add(new Phases.Phase("3-nodes", SEQUENCE.get()));
      Thread.sleep(BASE_MILLIS);
      phases.add(change("add-4th", four, 0, first, second));
      phases.add(change("remove-4th", three, 0, first, second));
      phases.add(change("re-add-4th", four, 0, first, second));
    });
  }

  /**
   * The second manager applies each change half a settle time after the first: still no stale
   * read. A last phase measures (prints, does not assert) what happens when it applies the change
   * twice the settle time late, beyond the window the design allows.
   */
  @Test
  void aManagerThatAppliesTheChangeWithinTheSettleTimeReadsNothingStale() throws Exception {
    String three = Membership.servers(CLUSTER, 0, 1, 2);
    String four = Membership.servers(CLUSTER, 0, 1, 2, 3);
    underLoad(new Phases("[membership-staggered]"), three, (first, second, phases) -> {
      phases.add(new Phases.Phase("3-nodes", SEQUENCE.get()));
      Thread.sleep(BASE_MILLIS);
      long within = SETTLE_MILLIS / 2;
      phases.add(change("add-4th, second " + within + " ms late", four, within, first, second));
      phases.add(change("remove-4th, second " + within + " ms late", three, within, first, second));
      long beyond = SETTLE_MILLIS * 2;
      Phases.Phase late = change("re-add-4th, second " + beyond + " ms late", four, beyond, first, second);
      late.promisesNoViolation = false;
      phases.add(late);
    });
  }

  /** Runs the load on two managers (starting on {@code servers}) while {@code script} runs; checks it. */
  private static void underLoad(Phases phases, String servers, Script script) throws Exception {
    String namespace = Membership.uniqueNamespace();
    try (MemcachedCacheManager first = Membership.manager(servers, namespace);
        MemcachedCacheManager second = Membership.manager(servers, namespace)) {
      MutableConfiguration<String, String> strings =
          new MutableConfiguration<String, String>().setTypes(String.class, String.class);
      List<Cache<String, String>> caches =
          List.of(first.createCache("c", strings), second.createCache("c", strings));
      List<List<Call>> logs = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService workers = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          List<Call> log = new ArrayList<>();
          logs.add(log);
          int thread = t;
          running.add(workers.submit(
              () -> CallLoad.run(thread, caches, 0, KEYS, log, stop, SEQUENCE::incrementAndGet, WORKER_LIMIT_MILLIS)));
        }
        script.run(first, second, phases);
        stop.set(true);
        for (Future<?> worker : running) {
          worker.get(30, TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
        workers.shutdownNow();
      }
      List<Call> calls = new ArrayList<>();
      logs.forEach(calls::addAll);
      phases.check(calls);
      phases.assertSound(500, 100);
    }
  }

  /**
   * Both managers change (from two threads; the second {@code staggerMillis} after the first);
   * then the change settles and load goes on.
   */
  private static Phases.Phase change(String name, String servers, long staggerMillis,
      MemcachedCacheManager first, MemcachedCacheManager second) throws Exception {
    Phases.Phase phase = new Phases.Phase(name, SEQUENCE.incrementAndGet());
    CountDownLatch ready = new CountDownLatch(2);
    ExecutorService changers = Executors.newFixedThreadPool(2);
    long began = System.nanoTime();
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (MemcachedCacheManager manager : List.of(first, second)) {
        long delay = manager == second ? staggerMillis : 0;
        calls.add(changers.submit(() -> {
          ready.countDown();
          ready.await(10, TimeUnit.SECONDS);
          Thread.sleep(delay);
          manager.setServers(servers);
          return null;
        }));
      }
      for (Future<?> call : calls) {
        call.get(30 + staggerMillis / 1000, TimeUnit.SECONDS);
      }
    } finally {
      changers.shutdownNow();
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
}
