package io.memjcache.sample.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCache;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sample's memjcache.properties, as shipped, gives each Hibernate region the settings the
 * README prescribes.
 */
class RegionConfigurationTest {

  static final String TIMESTAMPS = "default-update-timestamps-region";
  static final String QUERY_RESULTS = "default-query-results-region";

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(1);

  @Test
  void everyRegionIsDeclaredAndTheTimestampsRegionIsNeitherNearCachedNorBounded() {
    Properties servers = new Properties(); // the file names no servers: the deployment does
    servers.setProperty("memjcache.servers", MEMCACHED.serverList());
    CacheManager manager = Caching.getCachingProvider("io.memjcache.MemcachedCachingProvider")
        .getCacheManager(URI.create("classpath:" + LibraryHibernate.CACHE_URI), getClass().getClassLoader(), servers);
    try {
      Set<String> declared = new HashSet<>();
      manager.getCacheNames().forEach(declared::add);
      assertEquals(Set.of(Author.class.getName(), Author.class.getName() + ".books", Book.class.getName(),
          QUERY_RESULTS, TIMESTAMPS), declared, "regions declared in memjcache.properties");

      assertNull(region(manager, TIMESTAMPS).nearCacheStatistics(), "timestamps: no near cache");
      assertTrue(expiryOnCreation(manager, TIMESTAMPS).isEternal(), "timestamps: eternal");

      assertNotNull(region(manager, QUERY_RESULTS).nearCacheStatistics(), "query results: near-cached");
      assertEquals(new Duration(TimeUnit.MINUTES, 10), expiryOnCreation(manager, QUERY_RESULTS));

      for (String entityRegion :
          Set.of(Author.class.getName(), Author.class.getName() + ".books", Book.class.getName())) {
        assertNotNull(region(manager, entityRegion).nearCacheStatistics(), entityRegion + ": near-cached");
        assertEquals(new Duration(TimeUnit.HOURS, 1), expiryOnCreation(manager, entityRegion));
      }
    } finally {
      manager.close();
    }
  }

  private static MemcachedCache<?, ?> region(CacheManager manager, String name) {
    return manager.getCache(name).unwrap(MemcachedCache.class);
  }

  private static Duration expiryOnCreation(CacheManager manager, String name) {
    @SuppressWarnings("unchecked")
    CompleteConfiguration<Object, Object> configuration =
        manager.getCache(name).getConfiguration(CompleteConfiguration.class);
    return configuration.getExpiryPolicyFactory().create().getExpiryForCreation();
  }
}
