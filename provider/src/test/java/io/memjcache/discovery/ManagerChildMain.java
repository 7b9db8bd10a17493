package io.memjcache.discovery;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.ChildWatchdog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * Child JVM of {@link ManagerFollowsNamesTest}: a CacheManager configured by {@code
 * memjcache.*} system-style pairs given as arguments ({@code key=value}), driven by commands on
 * standard input, one answer line each: {@code PUT k v} → {@code OK}; {@code GET k} → {@code
 * VALUE v}, {@code MISS} or {@code ERROR message}; {@code SERVERS} → {@code SERVERS list};
 * {@code SETTLED} → {@code SETTLED true|false}. Exits when its input closes, or after two
 * minutes at most. Started with {@code -Djdk.net.hosts.file} and the DNS cache off, which a JVM
 * reads once.
 */
public final class ManagerChildMain {

  private ManagerChildMain() {}

  public static void main(String[] args) throws Exception {
    ChildWatchdog.start(Duration.ofMinutes(2));
    Properties properties = new Properties();
    for (String pair : args) {
      int eq = pair.indexOf('=');
      properties.setProperty(pair.substring(0, eq), pair.substring(eq + 1));
    }
    try (CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(URI.create("memjcache:child"), ManagerChildMain.class.getClassLoader(), properties)) {
      Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      MemcachedCacheManager memcached = manager.unwrap(MemcachedCacheManager.class);
      System.out.println("READY");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] words = line.split(" ");
        try {
          switch (words[0]) {
            case "PUT" -> {
              cache.put(words[1], words[2]);
              System.out.println("OK");
            }
            case "GET" -> {
              String value = cache.get(words[1]);
              System.out.println(value == null ? "MISS" : "VALUE " + value);
            }
            case "SERVERS" -> System.out.println("SERVERS " + memcached.getServers());
            case "SETTLED" -> System.out.println("SETTLED " + memcached.isMembershipSettled());
            default -> System.out.println("ERROR unknown command " + words[0]);
          }
        } catch (RuntimeException e) {
          System.out.println("ERROR " + e);
        }
      }
    }
    System.out.println("BYE");
  }
}
