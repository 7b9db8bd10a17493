package io.memjcache;

import io.memjcache.testing.MemcachedCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/**
 * The child JVM of {@link ConfigurationSafetyTest}: two memcached nodes on {@code [::1]}, one
 * CacheManager naming them in a URI ({@code %5B::1%5D:p1*2,...}, weight 2), another in {@code
 * memjcache.servers} with other spellings of the same address ({@code [0:0:0:0:0:0:0:1]}, {@code
 * [::0001]}); what one writes the other must read, and both nodes must hold keys. Prints {@code IPV6
 * OK mismatches=<n>}.
 */
public final class Ipv6ClusterMain {

  private Ipv6ClusterMain() {}

  public static void main(String[] args) {
    try (MemcachedCluster cluster = MemcachedCluster.nodes(2).onHost("::1").start()) {
      List<InetSocketAddress> nodes = cluster.addresses();
      int p1 = nodes.get(0).getPort();
      int p2 = nodes.get(1).getPort();
      String namespace = ClusterCaches.uniqueNamespace();
      CachingProvider provider = Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
      URI uri = URI.create("memcached://%5B::1%5D:" + p1 + "*2,%5B::1%5D:" + p2 + "?namespace=" + namespace);
      Properties spelled = new Properties();
      spelled.setProperty("memjcache.servers", "[0:0:0:0:0:0:0:1]:" + p2 + ", [::0001]:" + p1 + "*2");
      spelled.setProperty("memjcache.namespace", namespace);
      int mismatches = 0;
      try (CacheManager a = provider.getCacheManager(uri, new ClassLoader(Ipv6ClusterMain.class.getClassLoader()) {});
          CacheManager b = provider.getCacheManager(
              URI.create("memjcache:ipv6"), new ClassLoader(Ipv6ClusterMain.class.getClassLoader()) {}, spelled)) {
        Cache<String, Integer> writer = a.createCache("v6", new MutableConfiguration<String, Integer>());
        Cache<String, Integer> reader = b.createCache("v6", new MutableConfiguration<String, Integer>());
        for (int i = 0; i < 300; i++) {
          writer.put("key-" + i, i);
        }
        for (int i = 0; i < 300; i++) {
          Integer value = reader.get("key-" + i);
          if (value == null || value != i) {
            mismatches++;
          }
        }
        System.out.println("servers a=" + ((MemcachedCacheManager) a).getSettings().servers()
            + " b=" + ((MemcachedCacheManager) b).getSettings().servers());
      }
      long items1 = cluster.itemCount(0);
      long items2 = cluster.itemCount(1);
      System.out.println("items " + items1 + " " + items2);
      if (items1 == 0 || items2 == 0 || items1 <= items2) {
        System.out.println("IPV6 BAD distribution: node 1 (weight 2) " + items1 + ", node 2 " + items2);
        System.exit(2);
      }
      System.out.println("IPV6 OK mismatches=" + mismatches);
    } catch (RuntimeException e) {
      e.printStackTrace(System.out);
      System.exit(1);
    }
    System.exit(0);
  }
}
