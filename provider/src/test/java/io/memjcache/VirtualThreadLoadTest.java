package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 10,000 virtual threads doing get, put and invoke on one cache over 3 real memcached nodes, with
 * JFR recording {@code jdk.VirtualThreadPinned} and {@code jdk.VirtualThreadSubmitFailed}.
 *
 * <p>Virtual threads are Java 21+ API and the project compiles with {@code release 17}, so the
 * executor is made by reflection ({@code Executors.newVirtualThreadPerTaskExecutor}) and the test
 * is skipped by an assumption on an older JDK: {@code .ci/run} runs the provider's tests again on
 * JDK 25 when one is installed, where this test runs and asserts.
 *
 * <p>The model: each thread owns one key that no other thread writes, and every get of it must
 * return exactly what the thread last put (null before its first put). Every invoke increments one
 * of {@value #COUNTERS} shared counter keys (10 threads per counter) with a CAS-atomic entry
 * processor: the values the increments return for one counter must be exactly 1..n, each once, and
 * the counter must end at n, the number of increments that returned.
 *
 * <p>Pinning: {@code jdk.VirtualThreadPinned} is recorded with threshold 0, so every park of a
 * pinned virtual thread is counted, however short. Pinning holds a carrier (there are as many as
 * cores, 2 here), so it stalls progress only when it lasts. The test asserts that no pinned event
 * lasted {@value #PINNED_STALL_MILLIS} ms or more, that no virtual thread failed to be scheduled,
 * that every thread finished well within the run's deadline, and that the completed-operations
 * counter, sampled every 50 ms by a platform thread, never stood still for
 * {@value #STALL_LIMIT_MILLIS} ms or more (operations time out after 10 s, so a longer stall would
 * otherwise surface only as timeouts, or not at all).
 */
class VirtualThreadLoadTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final int THREADS = 10_000;
  private static final int OPS_PER_THREAD = 12;
  private static final int COUNTERS = 1_000;
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final long PINNED_STALL_MILLIS = 100;
  private static final long STALL_LIMIT_MILLIS = 5_000;

  /** Increments a decimal counter, returns the new value. Atomic per key: invoke runs it under CAS. */
  static final class Increment implements EntryProcessor<String, String, Long>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(MutableEntry<String, String> entry, Object... arguments) {
      long next = entry.exists() ? Long.parseLong(entry.getValue()) + 1 : 1;
      entry.setValue(Long.toString(next));
      return next;
    }
  }

  @Test
  void tenThousandVirtualThreadsGetPutAndInvokeWithoutErrorsOrPinningStalls() throws Exception {
    Assumptions.assumeTrue(Runtime.version().feature() >= 21,
        "virtual threads need JDK 21+; .ci/run runs this test on JDK 25 (this JVM: " + Runtime.version() + ")");
    String namespace = ClusterCaches.uniqueNamespace();
    Path jfr = Files.createTempFile("memjcache-vthreads-", ".jfr");
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace, 10_000)) {
      Cache<String, String> cache = manager.createCache("vt-" + namespace, new MutableConfiguration<String, String>());
      // One of each operation on this platform thread first: the provider's classes are loaded and
      // initialized here, as an application's first requests would, not inside 10,000 threads.
      cache.put("warm", "up");
      assertEquals("up", cache.get("warm"));
      assertEquals(1L, cache.invoke("warm-counter", new Increment()));

      Queue<String> errors = new ConcurrentLinkedQueue<>();
      AtomicLong errorCount = new AtomicLong();
      AtomicLong ops = new AtomicLong();
      AtomicLong violations = new AtomicLong();
      Queue<String> violationExamples = new ConcurrentLinkedQueue<>();
      AtomicLongArray increments = new AtomicLongArray(COUNTERS);
      long[][] returned = new long[THREADS][];
      AtomicInteger notVirtual = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);

      Recording recording = new Recording();
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.enable("jdk.VirtualThreadSubmitFailed").withStackTrace();
      recording.setToDisk(true);
      recording.start();
      long began = System.nanoTime();
      ProgressMonitor monitor = new ProgressMonitor(ops);
      boolean finished;
      ExecutorService executor = newVirtualThreadPerTaskExecutor();
      try {
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          executor.execute(() -> {
            try {
              if (!isVirtual(Thread.currentThread())) {
                notVirtual.incrementAndGet();
              }
              start.await();
              returned[thread] = work(thread, cache, ops, increments, violations, violationExamples);
            } catch (Throwable e) {
              if (errorCount.incrementAndGet() <= 5) {
                errors.add("thread " + thread + ": " + e);
              }
            }
          });
        }
        monitor.start();
        start.countDown();
        executor.shutdown();
        finished = executor.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      } finally {
        executor.shutdownNow();
        monitor.stop();
        recording.stop();
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      recording.dump(jfr);
      recording.close();

      // The model, checked after every thread is done.
      long[][] perCounter = new long[COUNTERS][];
      int[] filled = new int[COUNTERS];
      for (int c = 0; c < COUNTERS; c++) {
        perCounter[c] = new long[(int) increments.get(c)];
      }
      for (int t = 0; t < THREADS; t++) {
        if (returned[t] == null) {
          continue; // that thread failed: counted as an error
        }
        for (long packed : returned[t]) {
          int c = (int) (packed >>> 32);
          perCounter[c][filled[c]++] = packed & 0xffffffffL;
        }
      }
      long totalIncrements = 0;
      for (int c = 0; c < COUNTERS; c++) {
        long n = increments.get(c);
        totalIncrements += n;
        long[] seen = perCounter[c];
        Arrays.sort(seen);
        for (int i = 0; i < seen.length; i++) {
          if (seen[i] != i + 1) {
            violation(violations, violationExamples, "counter " + c + ": its " + n
                + " increments returned " + Arrays.toString(seen) + ", not 1.." + n);
            break;
          }
        }
        String end = cache.get(counterKey(c));
        String expected = n == 0 ? null : Long.toString(n);
        if (!java.util.Objects.equals(expected, end)) {
          violation(violations, violationExamples, "counter " + c + " holds " + end + " after " + n + " increments");
        }
      }

      Pins pins = Pins.read(jfr);
      Files.deleteIfExists(jfr);
      System.out.printf("virtual threads: %d, ops: %d, errors: %d, jdk.VirtualThreadPinned events: %d (longest %d ms),"
              + " jdk.VirtualThreadSubmitFailed events: %d, JDK %s%n",
          THREADS, ops.get(), errorCount.get(), pins.count, pins.longestMillis, pins.submitFailed, Runtime.version());
      System.out.printf("VirtualThreadLoadTest: %d increments on %d counters, %d violations, %d ms,"
              + " longest stretch without progress %d ms%n",
          totalIncrements, COUNTERS, violations.get(), elapsedMillis, monitor.longestStallMillis());
      pins.examples.forEach(System.out::println);

      assertEquals(0, notVirtual.get(), "tasks that did not run on a virtual thread");
      assertEquals(0, errorCount.get(), errorCount.get() + " errors, first: " + errors);
      assertTrue(finished, "the threads did not finish within " + DEADLINE + ": " + ops.get() + " ops done");
      assertEquals((long) THREADS * OPS_PER_THREAD, ops.get(), "operations completed");
      assertEquals(0, violations.get(), violations.get() + " violations, first: " + violationExamples);
      assertTrue(totalIncrements > THREADS, "too few increments to test atomicity: " + totalIncrements);
      assertEquals(0, pins.submitFailed, "jdk.VirtualThreadSubmitFailed events");
      assertEquals(0, pins.atLeast(PINNED_STALL_MILLIS),
          "pinned events of " + PINNED_STALL_MILLIS + " ms or more, e.g. " + pins.examples);
      assertTrue(monitor.longestStallMillis() < STALL_LIMIT_MILLIS,
          "no operation completed for " + monitor.longestStallMillis() + " ms");
    }
  }

  /**
   * The control: the recording this test makes does see pinning. A virtual thread that blocks in a
   * class initializer stays pinned even on JDK 24+ (JEP 491 removed only the pinning by monitors),
   * so a sleep of 50 ms there must show up as one event of about 50 ms. Without this, "0 pinned
   * events" above could also mean a recording that records nothing.
   */
  @Test
  void theRecordingSeesAVirtualThreadPinnedInAClassInitializer() throws Exception {
    Assumptions.assumeTrue(Runtime.version().feature() >= 21,
        "virtual threads need JDK 21+; .ci/run runs this test on JDK 25 (this JVM: " + Runtime.version() + ")");
    Path jfr = Files.createTempFile("memjcache-vthreads-control-", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      ExecutorService executor = newVirtualThreadPerTaskExecutor();
      try {
        executor.submit(() -> SleepsInItsInitializer.VALUE).get(30, TimeUnit.SECONDS);
      } finally {
        executor.shutdownNow();
      }
      recording.stop();
      recording.dump(jfr);
    }
    Pins pins = Pins.read(jfr);
    Files.deleteIfExists(jfr);
    System.out.println("control: a virtual thread sleeping 50 ms in <clinit>: jdk.VirtualThreadPinned events: "
        + pins.count + " (longest " + pins.longestMillis + " ms)");
    pins.examples.forEach(System.out::println);
    assertTrue(pins.atLeast(40) >= 1, "no pinned event of 40 ms or more was recorded: " + pins.durationsMillis);
  }

  /** Blocks its initializing thread for 50 ms. */
  static final class SleepsInItsInitializer {
    static final int VALUE;

    static {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      VALUE = 1;
    }

    private SleepsInItsInitializer() {}
  }

  /**
   * One thread's operations: a put of its own key (40%), a get of it (30%) that must return what
   * it last put, or an increment of a shared counter (30%). Returns each increment's counter and
   * result, packed as {@code counter << 32 | value}.
   */
  private static long[] work(int thread, Cache<String, String> cache, AtomicLong ops, AtomicLongArray increments,
      AtomicLong violations, Queue<String> examples) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String own = "own-" + thread;
    String last = null;
    long[] results = new long[OPS_PER_THREAD];
    int invokes = 0;
    for (int op = 0; op < OPS_PER_THREAD; op++) {
      int dice = random.nextInt(10);
      if (dice < 4) {
        String value = thread + "-" + op;
        cache.put(own, value);
        last = value;
      } else if (dice < 7) {
        String seen = cache.get(own);
        if (!java.util.Objects.equals(last, seen)) {
          violation(violations, examples, own + " read " + seen + ", its only writer last put " + last);
        }
      } else {
        int counter = (thread + op * 7) % COUNTERS;
        Long value = cache.invoke(counterKey(counter), new Increment());
        increments.incrementAndGet(counter);
        results[invokes++] = ((long) counter << 32) | value;
      }
      ops.incrementAndGet();
    }
    return Arrays.copyOf(results, invokes);
  }

  private static String counterKey(int counter) {
    return "counter-" + counter;
  }

  private static void violation(AtomicLong violations, Queue<String> examples, String what) {
    if (violations.incrementAndGet() <= 5) {
      examples.add(what);
    }
  }

  /** {@code Executors.newVirtualThreadPerTaskExecutor()}, Java 21+, called by reflection (release 17). */
  private static ExecutorService newVirtualThreadPerTaskExecutor() throws ReflectiveOperationException {
    Method factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
    return (ExecutorService) factory.invoke(null);
  }

  private static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
    return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
  }

  /** Samples the completed-operations counter and keeps the longest time it did not move. */
  private static final class ProgressMonitor {
    private final AtomicLong ops;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long longestStallNanos;

    ProgressMonitor(AtomicLong ops) {
      this.ops = ops;
      this.thread = new Thread(this::sample, "vt-progress-monitor");
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void sample() {
      long lastValue = ops.get();
      long lastChange = System.nanoTime();
      while (running && lastValue < (long) THREADS * OPS_PER_THREAD) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
        long now = System.nanoTime();
        long value = ops.get();
        if (value != lastValue) {
          lastValue = value;
          lastChange = now;
        } else {
          longestStallNanos = Math.max(longestStallNanos, now - lastChange);
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5_000);
    }

    long longestStallMillis() {
      return TimeUnit.NANOSECONDS.toMillis(longestStallNanos);
    }
  }

  /** What the JFR recording holds about pinning. */
  private static final class Pins {
    final List<Long> durationsMillis = new ArrayList<>();
    final List<String> examples = new ArrayList<>();
    long count;
    long longestMillis;
    long submitFailed;

    static Pins read(Path file) throws java.io.IOException {
      Pins pins = new Pins();
      try (RecordingFile recording = new RecordingFile(file)) {
        while (recording.hasMoreEvents()) {
          RecordedEvent event = recording.readEvent();
          String name = event.getEventType().getName();
          if (name.equals("jdk.VirtualThreadPinned")) {
            long millis = event.getDuration().toMillis();
            pins.count++;
            pins.durationsMillis.add(millis);
            pins.longestMillis = Math.max(pins.longestMillis, millis);
            if (pins.examples.size() < 3) {
              pins.examples.add("pinned " + event.getDuration().toNanos() / 1000 + " us at "
                  + topFrames(event));
            }
          } else if (name.equals("jdk.VirtualThreadSubmitFailed")) {
            pins.submitFailed++;
          }
        }
      }
      return pins;
    }

    long atLeast(long millis) {
      return durationsMillis.stream().filter(d -> d >= millis).count();
    }

    private static String topFrames(RecordedEvent event) {
      if (event.getStackTrace() == null) {
        return "(no stack trace)";
      }
      StringBuilder frames = new StringBuilder();
      event.getStackTrace().getFrames().stream().limit(8).forEach(frame -> frames.append("\n    ")
          .append(frame.getMethod().getType().getName()).append('.').append(frame.getMethod().getName())
          .append(':').append(frame.getLineNumber()));
      return frames.toString();
    }
  }
}
