package io.memjcache.benchmarks;

import com.github.benmanes.caffeine.jcache.configuration.CaffeineConfiguration;
import io.memjcache.MemcachedCache;
import io.memjcache.near.NearCacheStatistics;
import java.net.URI;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
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
 * In-process reads: a MemJCache near-cache hit against Caffeine's own JCache, store-by-value, on
 * the same String keys and values. (Caffeine copies store-by-value entries by serialization except
 * immutable types; String is one, so its get hands out the stored instance, as a MemJCache near
 * hit does: it keeps immutable values decoded.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LocalGet {

  @State(Scope.Benchmark)
  public static class Values {
    @Param({"100", "10240"})
    public int size;

    BenchData data;

    @Setup(Level.Trial)
    public void setUp() {
      data = new BenchData(size);
    }
  }

  /** A MemJCache cache on one memcached node with a near cache that holds every key for an hour. */
  @State(Scope.Benchmark)
  public static class Near {
    CacheManager manager;
    Cache<String, String> cache;

    @Setup(Level.Trial)
    public void setUp(Values values) {
      BenchData data = values.data;
      URI uri = URI.create("memcached://" + BenchData.servers("bench.memcached1")
          + "?namespace=bench&cache.near.nearCache.maxEntries=" + (4 * BenchData.KEYS)
          + "&cache.near.nearCache.staleness=1h");
      manager = Caching.getCachingProvider(Targets.MEMJCACHE_PROVIDER).getCacheManager(uri, LocalGet.class.getClassLoader());
      cache = manager.createCache("near", Targets.stringCache());
      for (int i = 0; i < BenchData.KEYS; i++) {
        cache.put(data.keys[i], data.values[i]);
      }
      for (int i = 0; i < BenchData.KEYS; i++) {
        cache.get(data.keys[i]); // a write drops the local copy; this read brings it in
      }
      NearCacheStatistics statistics = cache.unwrap(MemcachedCache.class).nearCacheStatistics();
      long hitsBefore = statistics.getNearCacheHits();
      for (int i = 0; i < BenchData.KEYS; i++) {
        if (!data.values[i].equals(cache.get(data.keys[i]))) {
          throw new IllegalStateException("near cache returned a wrong value for " + data.keys[i]);
        }
      }
      long hits = statistics.getNearCacheHits() - hitsBefore;
      if (hits != BenchData.KEYS) {
        throw new IllegalStateException("near cache served " + hits + " of " + BenchData.KEYS + " reads: not a hit benchmark");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      manager.close();
    }
  }

  /** A cache of Caffeine's JCache provider, filled with every key. */
  abstract static class CaffeineCache {
    CacheManager manager;
    Cache<String, String> cache;

    /** Opens the cache with {@code configuration} and fills it with every key, checking it reads back. */
    void open(Values values, CompleteConfiguration<String, String> configuration) {
      BenchData data = values.data;
      manager = Caching.getCachingProvider(Targets.CAFFEINE_PROVIDER).getCacheManager(null, LocalGet.class.getClassLoader());
      cache = manager.createCache("local", configuration);
      @SuppressWarnings("unchecked")
      CompleteConfiguration<String, String> applied = cache.getConfiguration(CompleteConfiguration.class);
      if (!applied.isStoreByValue()) {
        throw new IllegalStateException("Caffeine's JCache is not store-by-value");
      }
      for (int i = 0; i < BenchData.KEYS; i++) {
        cache.put(data.keys[i], data.values[i]);
      }
      for (int i = 0; i < BenchData.KEYS; i++) {
        if (!data.values[i].equals(cache.get(data.keys[i]))) {
          throw new IllegalStateException("Caffeine's JCache returned a wrong value for " + data.keys[i]);
        }
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      manager.close();
    }
  }

  /** Caffeine's JCache provider, store-by-value, no bound. */
  @State(Scope.Benchmark)
  public static class CaffeineJCache extends CaffeineCache {
    @Setup(Level.Trial)
    public void setUp(Values values) {
      open(values, Targets.stringCache().setStoreByValue(true));
    }
  }

  /**
   * Caffeine's JCache bounded as the near cache is (maximum size {@code 4 x KEYS}): a bounded
   * Caffeine table records each read for its eviction policy, which an unbounded one skips.
   */
  @State(Scope.Benchmark)
  public static class CaffeineBoundedJCache extends CaffeineCache {
    @Setup(Level.Trial)
    public void setUpBounded(Values values) {
      open(values, new CaffeineConfiguration<>(Targets.stringCache().setStoreByValue(true))
          .setMaximumSize(OptionalLong.of(4L * BenchData.KEYS)));
    }
  }

  /**
   * Caffeine's JCache bounded alike, with entries that expire an hour after creation: its get then
   * reads the clock on every hit (for an eternal entry it does not), as the near cache does for its
   * staleness bound.
   */
  @State(Scope.Benchmark)
  public static class CaffeineExpiringJCache extends CaffeineCache {
    @Setup(Level.Trial)
    public void setUpExpiring(Values values) {
      open(values, new CaffeineConfiguration<>(Targets.stringCache().setStoreByValue(true)
          .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ONE_HOUR)))
          .setMaximumSize(OptionalLong.of(4L * BenchData.KEYS)));
    }
  }

  /** A hit must hand back the whole value: a miss or a short value would be a fast wrong answer. */
  private static String checked(String value, Values values) {
    if (value == null || value.length() != values.size) {
      throw new IllegalStateException("a get returned " + (value == null ? "nothing" : value.length() + " chars")
          + " instead of a value of " + values.size);
    }
    return value;
  }

  @Benchmark
  public String memjcacheNearHit(Values values, Near near) {
    return checked(near.cache.get(values.data.keys[ThreadLocalRandom.current().nextInt(BenchData.KEYS)]), values);
  }

  @Benchmark
  public String caffeineGet(Values values, CaffeineJCache caffeine) {
    return checked(caffeine.cache.get(values.data.keys[ThreadLocalRandom.current().nextInt(BenchData.KEYS)]), values);
  }

  @Benchmark
  public String caffeineBoundedGet(Values values, CaffeineBoundedJCache caffeine) {
    return checked(caffeine.cache.get(values.data.keys[ThreadLocalRandom.current().nextInt(BenchData.KEYS)]), values);
  }

  @Benchmark
  public String caffeineExpiringGet(Values values, CaffeineExpiringJCache caffeine) {
    return checked(caffeine.cache.get(values.data.keys[ThreadLocalRandom.current().nextInt(BenchData.KEYS)]), values);
  }
}
