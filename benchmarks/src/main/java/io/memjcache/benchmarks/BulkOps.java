package io.memjcache.benchmarks;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Bulk writes of 100 keys per call, the same for every client: MemJCache and raw xmemcached
 * (pipelined: quiet sets or deletes and one barrier per node; naive: 100 synchronous commands) on
 * 1 and 3 memcached nodes, Redisson's JCache on one redis, Hazelcast's client JCache on one member.
 *
 * <p>Each thread owns {@value ThreadBatches#BATCHES} batches of 100 keys (no other thread touches
 * them) and takes them round robin; each write of a batch stores the other of its two values.
 * After each iteration every batch a thread touched is read back: written keys hold a value the
 * thread wrote, removed keys are gone. Write calls return nothing to check per call (the raw
 * pipelined barrier's reply is checked), so that read-back is what catches a dropped write.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BulkOps {

  @Param({"100", "10240"})
  public int size;

  @Param({"memjcache-1", "xmemcached-1", "xmemcached-strings-1", "xmemcached-naive-1", "redisson-1", "hazelcast-1",
      "memjcache-3", "xmemcached-3", "xmemcached-naive-3"})
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

  /** One thread's batches. */
  @State(Scope.Thread)
  public static class Slot {
    ThreadBatches batches;
    BulkBatch current;

    @Setup(Level.Trial)
    public void setUp(BulkOps ops, ThreadParams thread) {
      batches = new ThreadBatches(ops.data, thread.getThreadIndex());
      ops.slots.add(batches);
    }
  }

  /** A slot whose next batch is written before each call, outside the measured time. */
  @State(Scope.Thread)
  public static class Filled extends Slot {
    @Setup(Level.Invocation)
    public void fill(BulkOps ops) {
      current = batches.next();
      ops.client.putAll(current, batches.variant());
      batches.written();
    }
  }

  /** putAll of 100 keys, fresh values. */
  @Benchmark
  public void putAll(Slot slot) {
    BulkBatch batch = slot.batches.next();
    client.putAll(batch, slot.batches.variant());
    slot.batches.written();
  }

  /** putAll of 100 keys, then removeAll of the same 100: the pair, both measured. */
  @Benchmark
  public void putAllRemoveAll(Slot slot) {
    BulkBatch batch = slot.batches.next();
    client.putAll(batch, slot.batches.variant());
    client.removeAll(batch);
    slot.batches.removed();
  }

  /**
   * removeAll of 100 present keys; their putAll runs before each call and is not measured (JMH
   * times each call on its own here, which adds a few clock reads to a call of 100 removals).
   */
  @Benchmark
  public void removeAll(Filled filled) {
    client.removeAll(filled.current);
    filled.batches.removed();
  }
}
