package io.memjcache.benchmarks;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.jcache.configuration.RedissonConfiguration;

/**
 * Opens the client a benchmark's {@code target} parameter names: {@code memjcache-1},
 * {@code memjcache-3}, {@code xmemcached-1}, {@code xmemcached-3}, {@code xmemcached-naive-1},
 * {@code xmemcached-naive-3}, {@code xmemcached-strings-N}, {@code xmemcached-encoded-first-N},
 * {@code xmemcached-ketama-N} (1 or 3 memcached nodes; the last two are asked for with {@code -p
 * target=}, they are in no default list), {@code redisson-1} (one redis) or {@code hazelcast-1}
 * (one Hazelcast member, its own JVM). Several javax.cache providers share the class path, so each
 * is asked for by class name and configured in code.
 */
final class Targets {

  static final String MEMJCACHE_PROVIDER = "io.memjcache.MemcachedCachingProvider";
  static final String REDISSON_PROVIDER = "org.redisson.jcache.JCachingProvider";
  static final String HAZELCAST_CLIENT_PROVIDER = "com.hazelcast.client.cache.HazelcastClientCachingProvider";
  /** The cluster name run.sh gives its Hazelcast member. */
  static final String HAZELCAST_CLUSTER = "memjcache-bench";
  static final String CAFFEINE_PROVIDER = "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";
  static final String CACHE = "ops";

  private Targets() {}

  static Target open(String target, BenchData data) {
    int dash = target.lastIndexOf('-');
    String client = target.substring(0, dash);
    String nodes = target.substring(dash + 1);
    String servers;
    switch (nodes) {
      case "1" -> servers = BenchData.servers(switch (client) {
        case "redisson" -> "bench.redis";
        case "hazelcast" -> "bench.hazelcast";
        default -> "bench.memcached1";
      });
      case "3" -> {
        if (client.equals("redisson") || client.equals("hazelcast")) {
          throw new IllegalArgumentException(client + " runs on one local server only: use " + client + "-1");
        }
        servers = BenchData.servers("bench.memcached3");
      }
      default -> throw new IllegalArgumentException("bad target " + target);
    }
    return switch (client) {
      case "memjcache" -> memjcache(servers, data);
      case "xmemcached" -> new XMemcachedTarget(servers, data, true, XMemcachedTarget.Values.BYTES);
      case "xmemcached-strings" -> new XMemcachedTarget(servers, data, true, XMemcachedTarget.Values.STRINGS);
      case "xmemcached-encoded-first" ->
          new XMemcachedTarget(servers, data, true, XMemcachedTarget.Values.STRINGS_ENCODED_FIRST);
      case "xmemcached-ketama" -> new XMemcachedTarget(servers, data, true, XMemcachedTarget.Values.BYTES,
          XMemcachedTarget.Routing.KETAMA);
      case "xmemcached-naive" -> new XMemcachedTarget(servers, data, false, XMemcachedTarget.Values.BYTES);
      case "redisson" -> redisson(servers, data);
      case "hazelcast" -> hazelcast(servers, data);
      default -> throw new IllegalArgumentException("unknown client in target " + target);
    };
  }

  static MutableConfiguration<String, String> stringCache() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }

  /** MemJCache as its README configures it: a memcached:// URI naming the nodes and a namespace. */
  static Target memjcache(String servers, BenchData data) {
    CacheManager manager =
        Caching.getCachingProvider(MEMJCACHE_PROVIDER)
            .getCacheManager(URI.create("memcached://" + servers + "?namespace=bench"), Targets.class.getClassLoader());
    Cache<String, String> cache = manager.createCache(CACHE, stringCache());
    return new JCacheTarget(cache, data, manager::close);
  }

  /** Redisson's JCache on one local redis, Redisson's defaults otherwise (codec, pools, threads). */
  static Target redisson(String server, BenchData data) {
    Config config = new Config();
    config.useSingleServer().setAddress("redis://" + server);
    RedissonClient redisson = Redisson.create(config);
    // No redisson-jcache.yaml on the class path: the manager has no default client, and the cache
    // gets ours through RedissonConfiguration.
    CacheManager manager =
        Caching.getCachingProvider(REDISSON_PROVIDER).getCacheManager(null, Targets.class.getClassLoader());
    Cache<String, String> cache =
        manager.createCache(CACHE, RedissonConfiguration.fromInstance(redisson, stringCache()));
    // Trials store fresh keys for putIfAbsent; start empty and leave nothing behind.
    cache.clear();
    return new JCacheTarget(cache, data, () -> {
      try {
        cache.clear();
        manager.close();
      } finally {
        redisson.shutdown(0, 2, TimeUnit.SECONDS);
      }
    });
  }

  /**
   * Hazelcast's client JCache (a {@code HazelcastClientCachingProvider} on a client of the one
   * member run.sh starts), Hazelcast's defaults otherwise; logging and phone-home off.
   */
  static Target hazelcast(String server, BenchData data) {
    ClientConfig config = new ClientConfig();
    config.setClusterName(HAZELCAST_CLUSTER);
    config.getNetworkConfig().addAddress(server);
    config.setProperty("hazelcast.logging.type", "none");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
    CacheManager manager =
        Caching.getCachingProvider(HAZELCAST_CLIENT_PROVIDER)
            .getCacheManager(null, Targets.class.getClassLoader(),
                HazelcastCachingProvider.propertiesByInstanceItself(client));
    Cache<String, String> cache = manager.getCache(CACHE, String.class, String.class);
    if (cache == null) {
      cache = manager.createCache(CACHE, stringCache());
    }
    Cache<String, String> opened = cache;
    // Trials store fresh keys for putIfAbsent; start empty and leave nothing behind.
    opened.clear();
    return new JCacheTarget(opened, data, () -> {
      try {
        opened.clear();
        manager.close();
      } finally {
        client.shutdown();
      }
    });
  }
}
