package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A CacheManager configured by a file named in its URI, as Spring Boot and Hibernate do it. */
class DeclarativeConfigurationTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  @TempDir Path dir;

  @Test
  void declaredCachesExistWithTheirSettingsAndDefaultsApplyToCachesMadeInCode() throws Exception {
    Path file = dir.resolve("memjcache.properties");
    Files.writeString(file, """
        memjcache.servers = %s
        memjcache.namespace = decl%s
        memjcache.cache.default.nearCache.maxEntries = 100
        memjcache.cache.orders.expiry = created:5m
        memjcache.cache.orders.statistics = true
        memjcache.cache.orders.management = true
        """.formatted(CLUSTER.serverList(), UUID.randomUUID().toString().substring(0, 8)), StandardCharsets.UTF_8);
    CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(file.toUri(), new ClassLoader(getClass().getClassLoader()) {});
    try {
      Cache<Object, Object> orders = manager.getCache("orders");
      assertNotNull(orders, "declared in the file: created when the manager opens");
      @SuppressWarnings("unchecked")
      CompleteConfiguration<Object, Object> config = orders.getConfiguration(CompleteConfiguration.class);
      assertEquals(new CreatedExpiryPolicy(new Duration(java.util.concurrent.TimeUnit.MILLISECONDS, 300_000)),
          config.getExpiryPolicyFactory().create());
      assertTrue(config.isStatisticsEnabled());
      assertTrue(config.isManagementEnabled());
      orders.put("o1", "book");
      assertEquals("book", orders.get("o1"));
      assertThrows(CacheException.class, () -> manager.createCache("orders", new MutableConfiguration<>()));

      Cache<String, String> inCode = manager.createCache("inCode", new MutableConfiguration<String, String>());
      assertNotNull(inCode.unwrap(MemcachedCache.class).nearCacheStatistics(), "default section: near cache on");
      assertNotNull(orders.unwrap(MemcachedCache.class).nearCacheStatistics(),
          "orders gets the default section's near cache too");
    } finally {
      manager.close();
    }
  }

  @Test
  void badFileFailsAtGetCacheManagerNamingKeyAndFile() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "memjcache.servers = 127.0.0.1:1\nmemjcache.operationTimeoutMilis = 5\n", StandardCharsets.UTF_8);
    CacheException e = assertThrows(CacheException.class, () -> Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(file.toUri(), getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("memjcache.operationTimeoutMilis") && e.getMessage().contains("bad.properties"), e.getMessage());
  }

  @Test
  void aCacheNamedOnlyInThePropertiesIsCreatedOnDemandWithItsSettingsOnce() {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("memjcache.cache.default.statistics", "true");
    properties.setProperty("memjcache.cache.default.nearCache.maxEntries", "50");
    properties.setProperty("memjcache.cache.sessions.expiry", "created:2m");
    properties.setProperty("memjcache.cache.sessions.management", "true");
    CacheManager manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace(), properties);
    try {
      assertEquals(null, manager.getCache("sessions"), "Properties declare nothing by themselves");
      MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
      Cache<Object, Object> sessions = memcached.getOrCreateConfiguredCache("sessions");
      @SuppressWarnings("unchecked")
      CompleteConfiguration<Object, Object> config = sessions.getConfiguration(CompleteConfiguration.class);
      assertEquals(new CreatedExpiryPolicy(new Duration(java.util.concurrent.TimeUnit.MILLISECONDS, 120_000)),
          config.getExpiryPolicyFactory().create());
      assertTrue(config.isStatisticsEnabled(), "from the default section");
      assertTrue(config.isManagementEnabled());
      assertNotNull(sessions.unwrap(MemcachedCache.class).nearCacheStatistics(), "near cache from the default section");
      assertTrue(sessions == memcached.getOrCreateConfiguredCache("sessions"), "the second call finds the first cache");
      Cache<Object, Object> plain = memcached.getOrCreateConfiguredCache("plain");
      assertTrue(plain.getConfiguration(CompleteConfiguration.class).isStatisticsEnabled());
      sessions.put("s", "v");
      assertEquals("v", sessions.get("s"));
      assertThrows(NullPointerException.class, () -> memcached.getOrCreateConfiguredCache(null));
    } finally {
      manager.close();
    }
  }
}
