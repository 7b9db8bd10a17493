package io.memjcache.membership;

import io.memjcache.MemcachedCache;
import io.memjcache.MemcachedCacheManager;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.Arrays;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

/** Test helper: managers on a subset of a test cluster's nodes, and their membership changes. */
final class Membership {

  /** Settle time of every manager these tests open: short, so that a test sees several changes. */
  static final String SETTLE = "2s";

  /** Longest wait for a change to settle: the settle time plus a generous clean-up on a busy machine. */
  static final long SETTLE_TIMEOUT_MILLIS = 30_000;

  private Membership() {}

  static String uniqueNamespace() {
    return "m" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** {@code "127.0.0.1:p,..."} for the nodes at {@code indexes} (0-based, start order). */
  static String servers(MemcachedCluster cluster, int... indexes) {
    return Arrays.stream(indexes)
        .mapToObj(i -> "127.0.0.1:" + cluster.addresses().get(i).getPort())
        .collect(Collectors.joining(","));
  }

  /** A manager with a client of its own (a fresh class loader key: as another JVM would have). */
  static MemcachedCacheManager manager(String servers, String namespace) {
    URI uri = URI.create("memcached://" + servers + "?namespace=" + namespace + "&operationTimeoutMillis=1000");
    Properties properties = new Properties();
    properties.setProperty("memjcache.membership.settle", SETTLE);
    CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(Membership.class.getClassLoader()) {}, properties);
    return manager.unwrap(MemcachedCacheManager.class);
  }

  @SuppressWarnings("unchecked")
  static <K, V> MemcachedCache<K, V> routing(Cache<K, V> cache) {
    return cache.unwrap(MemcachedCache.class);
  }

  /** Waits (bounded) until every manager reports its last change settled; false on time-out. */
  static boolean awaitSettled(long timeoutMillis, MemcachedCacheManager... managers) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (Arrays.stream(managers).allMatch(MemcachedCacheManager::isMembershipSettled)) {
        return true;
      }
      Thread.sleep(20);
    }
    return Arrays.stream(managers).allMatch(MemcachedCacheManager::isMembershipSettled);
  }
}
