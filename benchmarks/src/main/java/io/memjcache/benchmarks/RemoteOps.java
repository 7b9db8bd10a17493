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
 * nodes, Redisson's JCache on one redis. Each operation picks one of 1,024 prepopulated keys at
 * random (getAll: one of 64 precomputed sets of 100 keys; putIfAbsent: a key never used before).
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

  @Param({"memjcache-1", "xmemcached-1", "redisson-1", "memjcache-3", "xmemcached-3"})
  public String target;

  private Target client;
  private final AtomicLong fresh = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() {
    BenchData data = new BenchData(size);
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
    return client.get(key());
  }

  @Benchmark
  public void put() {
    client.put(key());
  }

  @Benchmark
  public Object getAll() {
    return client.getAll(ThreadLocalRandom.current().nextInt(BenchData.BATCHES));
  }

  @Benchmark
  public boolean putIfAbsent() {
    return client.putIfAbsent(fresh.incrementAndGet());
  }

  @Benchmark
  public boolean replace() {
    return client.replace(key());
  }

  @Benchmark
  public Object invoke() {
    return client.invoke(key());
  }
}
