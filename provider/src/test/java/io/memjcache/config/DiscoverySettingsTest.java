package io.memjcache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.DiscoverySettings.Kind;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code memjcache.discovery} and {@code memjcache.discovery.interval}. */
class DiscoverySettingsTest {

  private static ClientSettings resolve(Map<String, String> properties, Map<String, String> env) {
    return resolve("memjcache:discovery", properties, env);
  }

  private static ClientSettings resolve(String uri, Map<String, String> properties, Map<String, String> env) {
    Properties props = new Properties();
    props.putAll(properties);
    return new ClientSettingsResolver(Properties::new, env::get).resolve(URI.create(uri), props);
  }

  private static IllegalArgumentException refused(Map<String, String> properties) {
    return assertThrows(IllegalArgumentException.class, () -> resolve(properties, Map.of()), properties.toString());
  }

  @Test
  void offByDefault() {
    ClientSettings settings = resolve(Map.of(), Map.of());
    assertNull(settings.discovery());
    assertFalse(settings.discovers());
    assertEquals("127.0.0.1:11211", settings.servers().get(0).name());
    assertNull(resolve(Map.of("memjcache.discovery", " ", "memjcache.servers", "a:1"), Map.of()).discovery(),
        "empty: the static servers");
  }

  @Test
  void dnsAndElastiCacheSources() {
    ClientSettings dns = resolve(Map.of("memjcache.discovery", "dns:memcached.shop.svc.cluster.local:11211"), Map.of());
    assertEquals(new DiscoverySettings(Kind.DNS, "memcached.shop.svc.cluster.local", 11211, Duration.ofSeconds(10)),
        dns.discovery());
    assertTrue(dns.discovers());
    assertEquals(List.of(), dns.servers(), "the discovered nodes are the membership");
    assertEquals("dns:memcached.shop.svc.cluster.local:11211", dns.discovery().source());

    ClientSettings aws = resolve(Map.of("memjcache.discovery", "ElastiCache:shop.abc123.cfg.use1.cache.amazonaws.com:11211",
        "memjcache.discovery.interval", "250ms"), Map.of());
    assertEquals(Kind.ELASTICACHE, aws.discovery().kind());
    assertEquals(Duration.ofMillis(250), aws.discovery().interval());

    ClientSettings v6 = resolve(Map.of("memjcache.discovery", "elasticache:[0:0:0:0:0:0:0:1]:11211"), Map.of());
    assertEquals("::1", v6.discovery().host());
    assertEquals("elasticache:[::1]:11211", v6.discovery().source());

    ClientSettings fromUri = resolve("memcached:///?discovery=dns:memcached.test:11211&discovery.interval=1m", Map.of(), Map.of());
    assertEquals(Duration.ofMinutes(1), fromUri.discovery().interval());

    ClientSettings fromEnv = resolve(Map.of(), Map.of("MEMJCACHE_DISCOVERY", "dns:memcached.test:11211",
        "MEMJCACHE_DISCOVERY_INTERVAL", "PT30S"));
    assertEquals(Duration.ofSeconds(30), fromEnv.discovery().interval());
  }

  @Test
  void anythingElseIsRefusedNamingTheKey() {
    for (String bad : List.of("consul:memcached:11211", "dns:memcached", "dns:memcached:0", "dns:memcached:70000",
        "dns:memcached:11211*2", "dns:", "dns::11211", "elasticache:ho st:11211", "memcached.test:11211",
        "elasticache:[::1]", "dns:a:b:11211")) {
      IllegalArgumentException e = refused(Map.of("memjcache.discovery", bad));
      assertTrue(e.getMessage().contains("memjcache.discovery"), bad + ": " + e.getMessage());
    }
    IllegalArgumentException secret = refused(Map.of("memjcache.discovery", "elasticache:user:hunter2@host:11211"));
    assertFalse(secret.getMessage().contains("hunter2"), secret.getMessage());
  }

  @Test
  void theIntervalIsRangeChecked() {
    for (String bad : List.of("99ms", "0s", "-1s", "2d", "soon", "10")) {
      IllegalArgumentException e = refused(Map.of("memjcache.discovery", "dns:memcached.test:11211",
          "memjcache.discovery.interval", bad));
      assertTrue(e.getMessage().contains("memjcache.discovery.interval"), bad + ": " + e.getMessage());
    }
    // Checked without discovery too: a bad value never waits for discovery to be switched on.
    refused(Map.of("memjcache.discovery.interval", "1ms"));
    assertEquals(Duration.ofMillis(100), resolve(Map.of("memjcache.discovery", "dns:memcached.test:11211",
        "memjcache.discovery.interval", "100ms"), Map.of()).discovery().interval());
  }

  @Test
  void serversAndDiscoveryExcludeEachOther() {
    IllegalArgumentException properties = refused(Map.of("memjcache.discovery", "dns:memcached.test:11211",
        "memjcache.servers", "a:11211"));
    assertTrue(properties.getMessage().contains("memjcache.servers") && properties.getMessage().contains("CacheManager properties"),
        properties.getMessage());
    IllegalArgumentException uri = assertThrows(IllegalArgumentException.class,
        () -> resolve("memcached://a:11211?discovery=dns:memcached.test:11211", Map.of(), Map.of()));
    assertTrue(uri.getMessage().contains("CacheManager URI"), uri.getMessage());
    IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
        () -> resolve(Map.of("memjcache.discovery", "dns:memcached.test:11211"), Map.of("MEMJCACHE_SERVERS", "a:11211")));
    assertTrue(env.getMessage().contains("MEMJCACHE_SERVERS"), env.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ClientSettings(List.of(new ServerAddress("a", 1, 1)), "n",
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1, ClientSettings.FailureMode.FAIL_FAST, List.of(), 1, false,
        Secret.NONE, "", Secret.NONE, Duration.ofSeconds(10), new DiscoverySettings(Kind.DNS, "b", 1, Duration.ofSeconds(1)), Duration.ofSeconds(1)));
  }
}
