package io.memjcache.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two CacheManagers of the same URI in two class loaders (two web apps on the default URI), on a
 * real memcached node: each keeps its own MXBeans, and closing one never removes the other's.
 */
class TwoManagersMBeanTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

  private static CacheManager manager(URI uri) {
    CachingProvider provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
    Properties properties = new Properties();
    properties.setProperty("memjcache.servers", CLUSTER.serverList());
    properties.setProperty("memjcache.namespace", "n" + UUID.randomUUID().toString().substring(0, 8));
    properties.setProperty("memjcache.cache.default.nearCache.maxEntries", "100");
    return provider.getCacheManager(uri, new ClassLoader(TwoManagersMBeanTest.class.getClassLoader()) {}, properties);
  }

  private static Cache<String, String> cache(CacheManager manager, int gets) {
    Cache<String, String> cache = manager.createCache("orders", new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class).setStatisticsEnabled(true).setManagementEnabled(true));
    cache.put("k", "v");
    for (int i = 0; i < gets; i++) {
      cache.get("k");
    }
    return cache;
  }

  private static Set<ObjectName> names(String domain, String type, String managerPattern) throws Exception {
    return SERVER.queryNames(new ObjectName(domain + ":type=" + type + ",CacheManager=" + managerPattern + ",Cache=orders"), null);
  }

  @Test
  void sameUriInTwoClassLoadersKeepsBothManagersBeans() throws Exception {
    String name = "shop-" + UUID.randomUUID().toString().substring(0, 8);
    URI uri = URI.create("memjcache:" + name);
    ObjectName statistics = new ObjectName("javax.cache:type=CacheStatistics,CacheManager=memjcache." + name + ",Cache=orders");
    ObjectName configuration = new ObjectName("javax.cache:type=CacheConfiguration,CacheManager=memjcache." + name + ",Cache=orders");
    ObjectName near = new ObjectName("io.memjcache:type=NearCacheStatistics,CacheManager=memjcache." + name + ",Cache=orders");

    CacheManager first = manager(uri);
    Cache<String, String> firstCache = cache(first, 3);
    assertEquals(3L, SERVER.getAttribute(statistics, "CacheGets"));

    CacheManager second = manager(uri);
    Cache<String, String> secondCache = cache(second, 7);
    // The standard names still belong to the first manager; the second got names of its own.
    assertEquals(3L, SERVER.getAttribute(statistics, "CacheGets"), "the first manager's statistics bean was replaced");
    assertEquals(2, names("javax.cache", "CacheStatistics", "memjcache." + name + "*").size());
    assertEquals(2, names("javax.cache", "CacheConfiguration", "memjcache." + name + "*").size());
    assertEquals(2, names("io.memjcache", "NearCacheStatistics", "memjcache." + name + "*").size());
    ObjectName secondStatistics = names("javax.cache", "CacheStatistics", "memjcache." + name + "*").stream()
        .filter(n -> !n.equals(statistics)).findFirst().orElseThrow();
    assertEquals(7L, SERVER.getAttribute(secondStatistics, "CacheGets"));
    assertNotEquals(statistics, secondStatistics);

    second.close();
    assertTrue(SERVER.isRegistered(statistics), "closing the second manager removed the first manager's bean");
    assertTrue(SERVER.isRegistered(configuration));
    assertTrue(SERVER.isRegistered(near));
    assertEquals(1, names("javax.cache", "CacheStatistics", "memjcache." + name + "*").size());
    firstCache.get("k");
    assertEquals(4L, SERVER.getAttribute(statistics, "CacheGets"));
    assertTrue(secondCache.isClosed());

    first.close();
    assertEquals(Set.of(), SERVER.queryNames(new ObjectName("javax.cache:CacheManager=memjcache." + name + "*,*"), null));
    assertEquals(Set.of(), SERVER.queryNames(new ObjectName("io.memjcache:CacheManager=memjcache." + name + "*,*"), null));
  }
}
