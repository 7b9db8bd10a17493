package io.memjcache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * MemJCache {@code get} and {@code put} from {@code callers} concurrent callers that are virtual
 * threads or platform threads, at equal concurrency.
 *
 * <p>One operation is a batch: {@code callers} tasks, each doing one get (or one put) of a random
 * key of the 1,024, handed to an executor with {@code invokeAll}, which returns when all are done.
 * {@code kind} = {@code virtual}: {@code Executors.newVirtualThreadPerTaskExecutor()}, a new virtual
 * thread per task, the way a server runs a virtual thread per request. {@code kind} =
 * {@code platform}: {@code Executors.newFixedThreadPool(callers)}, a pool of as many platform
 * threads as there are tasks (a new platform thread per task would mostly measure thread start-up).
 * So both kinds run exactly {@code callers} cache calls at once and pay the same per-batch barrier;
 * they differ in how a caller blocks on memcached's reply and is woken (a virtual thread unmounts
 * from its carrier; a platform thread parks in the kernel) and in how a task reaches its thread.
 * JMH counts batches: cache operations per second are that figure times {@code callers}
 * ({@code report.py} does the multiplication). The executor is per JMH thread (with {@code -t N},
 * N x callers calls run at once, for both kinds alike); the cache is shared.
 *
 * <p>Virtual threads are Java 21+ API and the benchmarks compile for Java 17: the executor is made
 * by reflection, and {@code kind=virtual} fails its setup on an older JDK ({@code run.sh} leaves
 * this benchmark out there). Every get is checked (a value of the run's size), and after each
 * iteration every key is read back with its populated value.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThreadKinds {

  @Param({"100"})
  public int size;

  @Param({"memjcache-1", "memjcache-3"})
  public String target;

  private Target client;
  private BenchData data;

  /** The callers of one JMH thread. */
  @State(Scope.Thread)
  public static class Callers {

    @Param({"64", "256"})
    public int callers;

    @Param({"platform", "virtual"})
    public String kind;

    ExecutorService executor;

    @Setup(Level.Trial)
    public void setUp() {
      executor = switch (kind) {
        case "platform" -> Executors.newFixedThreadPool(callers);
        case "virtual" -> virtualThreadPerTaskExecutor();
        default -> throw new IllegalArgumentException("kind is platform or virtual, not " + kind);
      };
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Runs the batch, rethrows the first task's failure. */
    void run(List<Callable<Object>> batch) throws InterruptedException {
      for (Future<Object> done : executor.invokeAll(batch)) {
        try {
          done.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException(kind + " callers: " + e.getCause(), e.getCause());
        }
      }
    }
  }

  static ExecutorService virtualThreadPerTaskExecutor() {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("virtual threads need Java 21+, this is " + Runtime.version()
          + ": run with a newer JAVA_HOME, or leave ThreadKinds out (-e ThreadKinds)", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Executors.newVirtualThreadPerTaskExecutor() failed", e);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    data = new BenchData(size);
    client = Targets.open(target, data);
    client.populate();
    for (int i = 0; i < BenchData.KEYS; i += 97) {
      Checks.value(client.get(i), size, target + " get of a populated key");
    }
  }

  /** After each iteration, outside the measurement: every key present, with its populated value. */
  @TearDown(Level.Iteration)
  public void verify() {
    Checks.everyKeyHolds(client, data, target, (value, populated) -> populated.equals(Checks.text(value)));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (client != null) {
      client.close();
    }
  }

  private static int key() {
    return ThreadLocalRandom.current().nextInt(BenchData.KEYS);
  }

  /** {@code callers} gets at once; one JMH operation. */
  @Benchmark
  public void get(Callers callers) throws InterruptedException {
    List<Callable<Object>> batch = new ArrayList<>(callers.callers);
    for (int c = 0; c < callers.callers; c++) {
      batch.add(() -> Checks.value(client.get(key()), size, target + " get"));
    }
    callers.run(batch);
  }

  /** {@code callers} puts at once; one JMH operation. */
  @Benchmark
  public void put(Callers callers) throws InterruptedException {
    List<Callable<Object>> batch = new ArrayList<>(callers.callers);
    for (int c = 0; c < callers.callers; c++) {
      batch.add(() -> {
        client.put(key());
        return null;
      });
    }
    callers.run(batch);
  }
}
