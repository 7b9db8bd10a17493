package io.memjcache.benchmarks;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Remote operations, the same for every client: MemJCache and raw xmemcached on 1 and 3 memcached
 * nodes, Redisson's JCache on one redis, Hazelcast's client JCache on one member. Each operation
 * picks one of 1,024 prepopulated keys at random (getAll: one of 64 precomputed sets of 100 keys;
 * putIfAbsent: a key never used before).
 *
 * <p>Every result is checked (a get returns a value of the run's size, a getAll 100 of them, a
 * replace or putIfAbsent succeeds, an invoke saw the value), and after each iteration every key is
 * read back: present, and the populated value or (invoke) a rotation of it. A regression that
 * misses fails the run instead of looking like a speed-up.
 *
 * <p>JMH orders runs by benchmark, then by parameter with the last one ({@code target}) varying
 * fastest: the clients compared in one ratio are measured one after the other.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RemoteOps {

  @Param({"100", "10240"})
  public int size;

  @Param({"memjcache-1", "xmemcached-1", "xmemcached-strings-1", "redisson-1", "hazelcast-1", "memjcache-3", "xmemcached-3"})
  public String target;

  private Target client;
  private BenchData data;
  private final AtomicLong fresh = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() {
    data = new BenchData(size);
    client = Targets.open(target, data);
    client.populate();
    check(data);
    client.populate(); // the checks rotated key 0
  }

  /** Every benchmarked operation must be a hit or a stored write, or the numbers mean nothing. */
  private void check(BenchData data) {
    for (int i = 0; i < BenchData.KEYS; i += 97) {
      Object value = client.get(i);
      boolean same =
          value instanceof byte[] bytes ? Arrays.equals(bytes, data.valueBytes[i]) : data.values[i].equals(value);
      if (!same) {
        throw new IllegalStateException(target + ": get of a populated key returned " + describe(value));
      }
    }
    if (!(client.getAll(0) instanceof Map<?, ?> all) || all.size() != BenchData.BATCH) {
      throw new IllegalStateException(target + ": getAll of " + BenchData.BATCH + " populated keys missed some");
    }
    if (!client.replace(0)) {
      throw new IllegalStateException(target + ": replace(k, v, v) of a populated key failed");
    }
    if (client.invoke(0) == null) {
      throw new IllegalStateException(target + ": invoke on a populated key saw no value");
    }
    if (!client.putIfAbsent(-1) || client.putIfAbsent(-1)) {
      throw new IllegalStateException(target + ": putIfAbsent did not store a fresh key exactly once");
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    return value instanceof byte[] b ? b.length + " other bytes" : "another value of " + value.toString().length() + " chars";
  }

  /** After each iteration, outside the measurement: every key present, with the value put (or a rotation). */
  @TearDown(Level.Iteration)
  public void verify() {
    Checks.everyKeyHolds(client, data, target, Checks::rotationOf);
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

  @Benchmark
  public Object get() {
    return Checks.value(client.get(key()), size, target + " get");
  }

  @Benchmark
  public void put() {
    client.put(key());
  }

  @Benchmark
  public Object getAll() {
    return Checks.all(client.getAll(ThreadLocalRandom.current().nextInt(BenchData.BATCHES)), BenchData.BATCH, size,
        target + " getAll");
  }

  @Benchmark
  public boolean putIfAbsent() {
    boolean stored = client.putIfAbsent(fresh.incrementAndGet());
    Checks.isTrue(stored, target + ": putIfAbsent of a fresh key did not store");
    return stored;
  }

  @Benchmark
  public boolean replace() {
    boolean replaced = client.replace(key());
    Checks.isTrue(replaced, target + ": replace(k, v, v) of a present key failed");
    return replaced;
  }

  @Benchmark
  public Object invoke() {
    Object oldLength = client.invoke(key());
    Checks.isTrue(oldLength instanceof Integer n && n == size, target + ": invoke saw " + oldLength + ", not a value of " + size);
    return oldLength;
  }
}
