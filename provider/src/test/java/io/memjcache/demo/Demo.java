package io.memjcache.demo;

import io.memjcache.MemcachedCache;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.management.CacheStatisticsMXBean;
import javax.cache.spi.CachingProvider;

/**
 * A small tour of MemJCache: starts three local memcached nodes, caches through plain {@code
 * javax.cache} calls, and prints where each key went and what the statistics say.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws Exception {
    try (MemcachedCluster cluster = MemcachedCluster.start(3)) {
      System.out.println("Started 3 memcached nodes: " + cluster.serverList());
      CachingProvider provider = Caching.getCachingProvider();
      URI uri = URI.create("memcached://" + cluster.serverList() + "?namespace=demo");
      try (CacheManager manager = provider.getCacheManager(uri, Demo.class.getClassLoader())) {
        Cache<String, String> cities = manager.createCache("cities",
            new MutableConfiguration<String, String>().setTypes(String.class, String.class)
                .setStatisticsEnabled(true));
        Map<String, String> capitals = Map.of(
            "France", "Paris", "Japan", "Tokyo", "Kenya", "Nairobi", "Peru", "Lima", "Norway", "Oslo");
        cities.putAll(capitals);
        @SuppressWarnings("unchecked")
        MemcachedCache<String, String> raw = cities.unwrap(MemcachedCache.class);
        System.out.println("\nputAll of " + capitals.size() + " entries; each key lives on one node:");
        for (String country : capitals.keySet()) {
          System.out.printf("  %-7s -> %-8s on %s%n", country, cities.get(country), raw.nodeOf(country));
        }
        System.out.println("\nget(\"Atlantis\") -> " + cities.get("Atlantis") + " (a miss)");

        System.out.println("\nConditional operations are atomic across JVMs (gets + CAS):");
        System.out.println("  putIfAbsent(\"France\", \"Lyon\")          -> " + cities.putIfAbsent("France", "Lyon"));
        System.out.println("  replace(\"Peru\", \"Lima\", \"Lima (Perú)\") -> " + cities.replace("Peru", "Lima", "Lima (Perú)"));
        System.out.println("  get(\"Peru\")                            -> " + cities.get("Peru"));

        String shout = cities.invoke("Norway", (entry, a) -> {
          entry.setValue(entry.getValue().toUpperCase());
          return entry.getValue();
        });
        System.out.println("  invoke(\"Norway\", toUpperCase)          -> " + shout);

        Cache<String, String> sessions = manager.createCache("sessions",
            new MutableConfiguration<String, String>()
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 300))));
        sessions.put("alice", "logged in");
        System.out.println("\nExpiry (300 ms, enforced by the client in milliseconds):");
        System.out.println("  right away: " + sessions.get("alice"));
        Thread.sleep(400);
        System.out.println("  after 400 ms: " + sessions.get("alice"));

        CacheStatisticsMXBean stats = raw.statistics();
        System.out.printf("%nStatistics of 'cities' in this JVM: %d gets, %d hits, %d misses, %d puts (hit rate %.0f%%)%n",
            stats.getCacheGets(), stats.getCacheHits(), stats.getCacheMisses(), stats.getCachePuts(),
            stats.getCacheHitPercentage());
        manager.destroyCache("cities");
        manager.destroyCache("sessions");
      }
    }
    System.out.println("\nStopped the memcached nodes. Done.");
  }
}
