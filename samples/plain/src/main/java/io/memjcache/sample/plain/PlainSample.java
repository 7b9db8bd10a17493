package io.memjcache.sample.plain;

import io.memjcache.MemcachedCache;
import io.memjcache.testing.MemcachedCluster;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.spi.CachingProvider;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * MemJCache through plain {@code javax.cache} calls: starts a local 3-node memcached cluster, then
 * shows routing, a listener, an entry processor, expiry, the near cache and the statistics.
 */
public final class PlainSample {

  /** What the run did, for the sample's test. */
  public record Report(
      Map<String, String> nodeByKey,
      long hits,
      long misses,
      long puts,
      long nearCacheHits,
      int stockAfterSale,
      boolean sessionExpired,
      List<String> events) {}

  private PlainSample() {}

  public static void main(String[] args) throws Exception {
    System.out.println("Starting a local memcached cluster of 3 nodes...");
    try (MemcachedCluster cluster = MemcachedCluster.start(3)) {
      System.out.println("  nodes: " + cluster.serverList());
      run(cluster.serverList(), System.out);
    }
    System.out.println("\nStopped the memcached nodes.");
  }

  /** The one MXBean matching {@code pattern} (its CacheManager part is the URI, made name-safe). */
  private static ObjectName only(MBeanServer jmx, String pattern) throws Exception {
    return jmx.queryNames(new ObjectName(pattern), null).iterator().next();
  }

  public static Report run(String servers, PrintStream out) throws Exception {
    CachingProvider provider = Caching.getCachingProvider();
    URI uri = URI.create("memcached://" + servers + "?namespace=plain-" + UUID.randomUUID().toString().substring(0, 8));
    Properties settings = new Properties();
    // A near cache for "stock": hot reads are served from this JVM, at most 2 s stale.
    settings.setProperty("memjcache.cache.stock.nearCache.maxEntries", "1000");
    settings.setProperty("memjcache.cache.stock.nearCache.staleness", "2s");

    try (CacheManager manager = provider.getCacheManager(uri, PlainSample.class.getClassLoader(), settings)) {
      out.println("\nCacheManager " + uri + " (provider " + provider.getClass().getSimpleName() + ")");

      List<String> events = new ArrayList<>();
      Cache<String, Integer> stock = manager.createCache("stock",
          new MutableConfiguration<String, Integer>()
              .setTypes(String.class, Integer.class)
              .setStatisticsEnabled(true)
              .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                  FactoryBuilder.factoryOf(new PrintingListener(events)), null, true, true)));

      out.println("\n1. putAll: each key goes to one node of the consistent-hash ring");
      Map<String, Integer> initial = new LinkedHashMap<>();
      initial.put("apple", 12);
      initial.put("banana", 30);
      initial.put("cherry", 250);
      initial.put("damson", 8);
      initial.put("elderberry", 3);
      initial.put("fig", 41);
      stock.putAll(initial);
      @SuppressWarnings("unchecked")
      MemcachedCache<String, Integer> memcached = stock.unwrap(MemcachedCache.class);
      Map<String, String> nodeByKey = new TreeMap<>();
      for (String key : initial.keySet()) {
        nodeByKey.put(key, memcached.nodeOf(key));
        out.printf("   %-10s -> %s%n", key, memcached.nodeOf(key));
      }
      out.println("   listener saw: " + events);

      out.println("\n2. get, twice each: the first read goes to memcached, the second is a near-cache hit");
      for (String key : initial.keySet()) {
        stock.get(key);
        stock.get(key);
      }
      out.println("   get(\"grape\") -> " + stock.get("grape") + " (a miss)");

      out.println("\n3. an entry processor sells one apple, atomically across JVMs (gets + CAS)");
      int left = stock.invoke("apple", (entry, arguments) -> {
        int now = entry.getValue() - (Integer) arguments[0];
        entry.setValue(now);
        return now;
      }, 1);
      out.println("   apples left: " + left + "; listener saw: " + events.get(events.size() - 1));

      out.println("\n4. expiry: a session cache whose entries live 500 ms");
      Cache<String, String> sessions = manager.createCache("sessions",
          new MutableConfiguration<String, String>()
              .setTypes(String.class, String.class)
              .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 500))));
      sessions.put("alice", "logged in");
      out.println("   get(\"alice\") right away  -> " + sessions.get("alice"));
      Thread.sleep(700);
      String afterExpiry = sessions.get("alice");
      out.println("   get(\"alice\") after 700 ms -> " + afterExpiry);

      out.println("\n5. statistics, read through the standard JMX MXBeans");
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      ObjectName jcacheStats = only(jmx, "javax.cache:type=CacheStatistics,Cache=stock,*");
      ObjectName nearStats = only(jmx, "io.memjcache:type=NearCacheStatistics,Cache=stock,*");
      long hits = (Long) jmx.getAttribute(jcacheStats, "CacheHits");
      long misses = (Long) jmx.getAttribute(jcacheStats, "CacheMisses");
      long puts = (Long) jmx.getAttribute(jcacheStats, "CachePuts");
      float hitRate = (Float) jmx.getAttribute(jcacheStats, "CacheHitPercentage");
      long nearHits = (Long) jmx.getAttribute(nearStats, "NearCacheHits");
      long nearMisses = (Long) jmx.getAttribute(nearStats, "NearCacheMisses");
      out.printf("   cache 'stock': %d hits, %d misses (hit rate %.0f%%), %d puts%n", hits, misses, hitRate, puts);
      out.printf("   near cache:    %d local hits, %d reads that went to memcached%n", nearHits, nearMisses);

      manager.destroyCache("stock");
      manager.destroyCache("sessions");
      return new Report(nodeByKey, hits, misses, puts, nearHits, left, afterExpiry == null, List.copyOf(events));
    }
  }
}
