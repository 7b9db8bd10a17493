package io.memjcache;

import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.Properties;
import java.util.UUID;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;

/** Test helper: CacheManagers on a test cluster, each test in a namespace of its own. */
final class ClusterCaches {

  private ClusterCaches() {}

  static String uniqueNamespace() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  static URI uri(MemcachedCluster cluster, String namespace) {
    return uri(cluster, namespace, 1000);
  }

  static URI uri(MemcachedCluster cluster, String namespace, long operationTimeoutMillis) {
    return URI.create("memcached://" + cluster.serverList() + "?namespace=" + namespace
        + "&operationTimeoutMillis=" + operationTimeoutMillis);
  }

  /**
   * A new CacheManager with a client of its own: each call uses a fresh class loader key, so two
   * calls behave like two JVMs sharing the cluster.
   */
  static CacheManager newManager(MemcachedCluster cluster, String namespace, Properties properties) {
    return newManager(uri(cluster, namespace), properties);
  }

  /** A new CacheManager, as above, whose operations time out after {@code operationTimeoutMillis}. */
  static CacheManager newManager(MemcachedCluster cluster, String namespace, long operationTimeoutMillis) {
    return newManager(uri(cluster, namespace, operationTimeoutMillis), new Properties());
  }

  private static CacheManager newManager(URI uri, Properties properties) {
    CachingProvider provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
    ClassLoader isolated = new ClassLoader(ClusterCaches.class.getClassLoader()) {};
    return provider.getCacheManager(uri, isolated, properties);
  }

  static CacheManager newManager(MemcachedCluster cluster, String namespace) {
    return newManager(cluster, namespace, new Properties());
  }
}
