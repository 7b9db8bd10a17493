package io.memjcache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.ClientSettings.FailureMode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ClientSettingsResolverTest {

  private static ClientSettingsResolver resolver(Map<String, String> sys, Map<String, String> env) {
    Properties system = new Properties();
    system.putAll(sys);
    return new ClientSettingsResolver(() -> system, env::get);
  }

  @Test
  void defaultsToLocalhost() {
    ClientSettings settings = resolver(Map.of(), Map.of()).resolve(URI.create("memjcache:default"), new Properties());
    assertEquals(List.of(new ServerAddress("127.0.0.1", 11211, 1)), settings.servers());
    assertEquals("memjcache", settings.namespace());
    assertEquals(FailureMode.FAIL_FAST, settings.failureMode());
    assertEquals(Duration.ofMillis(2000), settings.operationTimeout());
  }

  @Test
  void uriBeatsPropertiesBeatsSystemPropertyBeatsEnvironment() {
    Properties properties = new Properties();
    properties.setProperty("memjcache.servers", "props:1");
    ClientSettingsResolver r =
        resolver(Map.of("memjcache.servers", "sys:2"), Map.of("MEMJCACHE_SERVERS", "env:3"));
    assertEquals("uri:4", r.resolve(URI.create("memcached://uri:4"), properties).servers().get(0).name());
    assertEquals("props:1", r.resolve(URI.create("other:x"), properties).servers().get(0).name());
    assertEquals("sys:2", r.resolve(URI.create("other:x"), new Properties()).servers().get(0).name());
    assertEquals(
        "env:3",
        resolver(Map.of(), Map.of("MEMJCACHE_SERVERS", "env:3"))
            .resolve(URI.create("other:x"), new Properties()).servers().get(0).name());
  }

  @Test
  void uriListsServersWithWeightsAndQuerySettings() {
    ClientSettings settings =
        resolver(Map.of(), Map.of())
            .resolve(
                URI.create("memcached://10.0.0.1:11211,10.0.0.2:11212*2?namespace=shop&operationTimeoutMillis=250&failureMode=fail-over"),
                new Properties());
    assertEquals(
        List.of(new ServerAddress("10.0.0.1", 11211, 1), new ServerAddress("10.0.0.2", 11212, 2)),
        settings.servers());
    assertEquals("shop", settings.namespace());
    assertEquals(Duration.ofMillis(250), settings.operationTimeout());
    assertEquals(FailureMode.FAIL_OVER, settings.failureMode());
  }

  @Test
  void environmentNamesFollowTheKey() {
    assertEquals("MEMJCACHE_OPERATION_TIMEOUT_MILLIS", ClientSettingsResolver.environmentName("operationTimeoutMillis"));
    assertEquals("MEMJCACHE_DESERIALIZATION_ALLOWLIST", ClientSettingsResolver.environmentName("deserialization.allowlist"));
  }

  @Test
  void refusesUnknownKeysAndBadValuesNamingThem() {
    Properties typo = new Properties();
    typo.setProperty("memjcache.sever", "a:1");
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> resolver(Map.of(), Map.of()).resolve(URI.create("x:y"), typo));
    assertTrue(unknown.getMessage().contains("memjcache.sever"), unknown.getMessage());

    IllegalArgumentException badQuery =
        assertThrows(IllegalArgumentException.class,
            () -> resolver(Map.of(), Map.of()).resolve(URI.create("memcached://a:1?timeout=3"), new Properties()));
    assertTrue(badQuery.getMessage().contains("timeout"), badQuery.getMessage());

    Properties badNumber = new Properties();
    badNumber.setProperty("memjcache.operationTimeoutMillis", "fast");
    IllegalArgumentException number =
        assertThrows(IllegalArgumentException.class, () -> resolver(Map.of(), Map.of()).resolve(URI.create("x:y"), badNumber));
    assertTrue(number.getMessage().contains("operationTimeoutMillis"), number.getMessage());

    IllegalArgumentException port =
        assertThrows(IllegalArgumentException.class,
            () -> resolver(Map.of(), Map.of()).resolve(URI.create("memcached://host:99999"), new Properties()));
    assertTrue(port.getMessage().contains("host:99999"), port.getMessage());
  }

  @Test
  void parsesIpv6AndDefaultPort() {
    assertEquals(new ServerAddress("::1", 11211, 1), ServerAddress.parse("[::1]:11211"));
    assertEquals("[::1]:11211", ServerAddress.parse("[::1]").name());
    assertEquals(new ServerAddress("cache1", 11211, 1), ServerAddress.parse("cache1"));
    assertThrows(IllegalArgumentException.class, () -> ClientSettingsResolver.parseServers("a:1,a:1"));
  }
}
