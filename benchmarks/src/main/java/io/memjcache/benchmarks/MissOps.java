package io.memjcache.benchmarks;

import java.io.Serializable;
import java.net.URI;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
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
 * Misses, on one memcached node: what a read-through miss costs with its lease, and what single
 * flight does in a hot-key miss storm.
 *
 * <ul>
 *   <li>{@link #missThenLoad}: a get of a key never asked before, with an instant loader, for
 *       {@code target} = {@code memjcache} (single flight on, the default), {@code memjcache-nosf}
 *       (off: the lease still keeps fills from overwriting writes) and {@code cache-aside} (no
 *       loader: a get that misses, then a put — the two round trips a user writes by hand).
 *   <li>{@link #hotKeyStorm}: every thread asks for the key of the current 100 ms window, so a new
 *       key goes missing ten times a second and all threads miss it at once; the loader takes 50 ms.
 *       The teardown prints how many loads each key cost.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MissOps {

  static final AtomicLong LOADS = new AtomicLong();

  /** Answers at once for missThenLoad's keys ("m…"), after 50 ms for the storm's ("s…"). */
  public static final class BenchLoader implements CacheLoader<String, String>, Serializable {
    @Override
    public String load(String key) {
      LOADS.incrementAndGet();
      if (key.startsWith("s")) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return "value-of-" + key;
    }

    @Override
    public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
      java.util.Map<String, String> values = new java.util.HashMap<>();
      keys.forEach(key -> values.put(key, load(key)));
      return values;
    }
  }

  @Param({"memjcache", "memjcache-nosf", "cache-aside"})
  public String target;

  private CacheManager manager;
  private Cache<String, String> cache;
  private boolean cacheAside;
  private final AtomicLong fresh = new AtomicLong();
  private String run;
  private long firstWindow;

  @Setup(Level.Trial)
  public void setUp() {
    cacheAside = target.equals("cache-aside");
    Properties properties = new Properties();
    properties.setProperty("memjcache.cache.default.singleFlight", String.valueOf(!target.equals("memjcache-nosf")));
    manager = Caching.getCachingProvider(Targets.MEMJCACHE_PROVIDER).getCacheManager(
        URI.create("memcached://" + BenchData.servers("bench.memcached1") + "?namespace=miss" + target.hashCode()),
        new ClassLoader(MissOps.class.getClassLoader()) {}, properties);
    MutableConfiguration<String, String> config = Targets.stringCache();
    if (!cacheAside) {
      config.setReadThrough(true).setCacheLoaderFactory(FactoryBuilder.factoryOf(BenchLoader.class));
    }
    cache = manager.createCache("miss", config);
    run = UUID.randomUUID().toString().substring(0, 8);
    LOADS.set(0);
    firstWindow = System.currentTimeMillis() / 100;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long windows = Math.max(1, System.currentTimeMillis() / 100 - firstWindow);
    System.out.printf("%n[miss-ops] %s: %d loads, %.2f loads per storm key (if the storm ran)%n",
        target, LOADS.get(), (double) LOADS.get() / windows);
    manager.close();
  }

  @Benchmark
  public String missThenLoad() {
    String key = "m" + run + "-" + fresh.incrementAndGet();
    String value = cache.get(key);
    if (value == null && cacheAside) {
      value = "value-of-" + key;
      cache.put(key, value);
    }
    return value;
  }

  @Benchmark
  public String hotKeyStorm() {
    String key = "s" + run + "-" + System.currentTimeMillis() / 100;
    String value = cache.get(key);
    if (value == null && cacheAside) {
      value = new BenchLoader().load(key);
      cache.put(key, value);
    }
    return value;
  }
}
