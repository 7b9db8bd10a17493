package io.memjcache.benchmarks;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.cache.processor.EntryProcessorResult;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code invokeAll} of 100 present keys with an entry processor that sets a new value (the value
 * rotated by one character), for the JCache targets only (raw xmemcached has no such call). Each
 * thread owns its batches ({@link ThreadBatches}), written once before the trial; every call's
 * result must hold 100 entries, each the old value's length; after each iteration every key must
 * hold a rotation of its value.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BulkInvoke {

  @Param({"100", "10240"})
  public int size;

  @Param({"memjcache-1", "redisson-1", "hazelcast-1", "memjcache-3"})
  public String target;

  Target client;
  BenchData data;
  /** Every thread's batches, read back after each iteration. */
  final Queue<ThreadBatches> slots = new ConcurrentLinkedQueue<>();

  @Setup(Level.Trial)
  public void setUp() {
    data = new BenchData(size);
    client = Targets.open(target, data);
  }

  /**
   * After each iteration, once every thread has stopped: each thread's batches read back. Here,
   * not in the thread's own state: JMH may run the trial teardown (which closes the client) on
   * one thread before another thread's iteration teardown.
   */
  @TearDown(Level.Iteration)
  public void verify() {
    for (ThreadBatches batches : slots) {
      batches.verify(client, target);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (client != null) {
      client.close();
    }
  }

  /** One thread's batches, populated. */
  @State(Scope.Thread)
  public static class Slot {
    ThreadBatches batches;

    @Setup(Level.Trial)
    public void setUp(BulkInvoke bench, ThreadParams thread) {
      batches = new ThreadBatches(bench.data, thread.getThreadIndex());
      bench.slots.add(batches);
      batches.populate(bench.client);
    }
  }

  @Benchmark
  public Object invokeAll(Slot slot) {
    BulkBatch batch = slot.batches.next();
    Map<?, ?> results = client.invokeAll(batch);
    Checks.isTrue(results.size() == BenchData.BATCH,
        target + ": invokeAll returned " + results.size() + " results for " + BenchData.BATCH + " keys");
    for (Object result : results.values()) {
      Object oldLength = ((EntryProcessorResult<?>) result).get();
      Checks.isTrue(oldLength instanceof Integer n && n == size, target + ": invokeAll saw " + oldLength);
    }
    slot.batches.rotated();
    return results;
  }
}
