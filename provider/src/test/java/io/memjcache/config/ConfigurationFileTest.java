package io.memjcache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationFileTest {

  @TempDir Path dir;

  private final ClientSettingsResolver resolver = new ClientSettingsResolver(java.util.Properties::new, Map.<String, String>of()::get);

  private Path file(String text) throws IOException {
    Path file = dir.resolve("memjcache.properties");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private ManagerSettings resolve(Path file) {
    return resolver.resolve(file.toUri(), new Properties(), getClass().getClassLoader());
  }

  @Test
  void fileHoldsClientAndPerCacheSettingsWithADefaultSection() throws IOException {
    ManagerSettings settings = resolve(file("""
        memjcache.servers = 10.0.0.1:11211, 10.0.0.2:11211*2
        memjcache.namespace = shop
        memjcache.cache.default.nearCache.maxEntries = 500
        memjcache.cache.default.nearCache.staleness = 2s
        memjcache.cache.com.acme.Order.expiry = created:10m
        memjcache.cache.com.acme.Order.statistics = true
        memjcache.cache.com.acme.Order.nearCache.maxEntries = 0
        memjcache.cache.sessions.expiry = touched:30m
        memjcache.cache.sessions.deserialization.allowlist = com.acme.session.**
        """));
    assertEquals("shop", settings.client().namespace());
    assertEquals(2, settings.client().servers().get(1).weight());
    assertEquals(Set.of("com.acme.Order", "sessions"), settings.declaredCaches());

    CacheSettings order = settings.cache("com.acme.Order");
    assertEquals(new ExpirySpec("created", Duration.ofMinutes(10)), order.expiry());
    assertTrue(order.statisticsEnabled());
    assertFalse(order.nearCacheEnabled(), "its own section beats the default section");

    CacheSettings sessions = settings.cache("sessions");
    assertEquals(500, sessions.nearCacheMaxEntries());
    assertEquals(Duration.ofSeconds(2), sessions.nearCacheStaleness());
    assertEquals(List.of("com.acme.session.**"), sessions.deserializationAllowlist());

    CacheSettings other = settings.cache("undeclared");
    assertEquals(500, other.nearCacheMaxEntries());
    assertNull(other.expiry());
  }

  @Test
  void classpathUrisAreFound() {
    ManagerSettings settings = resolver.resolve(
        java.net.URI.create("classpath:memjcache-reference.properties"), new Properties(), getClass().getClassLoader());
    assertEquals("memjcache", settings.client().namespace(), "the reference file holds only commented defaults");
  }

  @Test
  void badConfigurationNamesTheKeyAndTheFile() throws IOException {
    Path unknown = file("memjcache.servers = a:1\nmemjcache.cache.x.nearCache.maxEntrys = 5\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolve(unknown));
    assertTrue(e.getMessage().contains("memjcache.cache.x.nearCache.maxEntrys") && e.getMessage().contains(unknown.toUri().toString()), e.getMessage());

    Path wrongType = file("memjcache.cache.x.statistics = yes\n");
    e = assertThrows(IllegalArgumentException.class, () -> resolve(wrongType));
    assertTrue(e.getMessage().contains("memjcache.cache.x.statistics"), e.getMessage());

    Path badServers = file("memjcache.servers = host:port\n");
    e = assertThrows(IllegalArgumentException.class, () -> resolve(badServers));
    assertTrue(e.getMessage().contains("host:port"), e.getMessage());

    Path badExpiry = file("memjcache.cache.x.expiry = sometimes:5m\n");
    e = assertThrows(IllegalArgumentException.class, () -> resolve(badExpiry));
    assertTrue(e.getMessage().contains("memjcache.cache.x.expiry"), e.getMessage());

    Path foreign = file("servers = a:1\n");
    e = assertThrows(IllegalArgumentException.class, () -> resolve(foreign));
    assertTrue(e.getMessage().contains("'servers'"), e.getMessage());

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> resolver.resolve(java.net.URI.create("classpath:nope.properties"), new Properties(), getClass().getClassLoader()));
    assertTrue(missing.getMessage().contains("classpath:nope.properties"), missing.getMessage());
  }

  @Test
  void theReferenceFileDocumentsEverySettingAndEveryDefaultIsValid() throws IOException {
    String reference;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("memjcache-reference.properties")) {
      reference = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Un-comment every documented setting: the result must be a valid configuration.
    String active = reference.lines()
        .map(line -> line.startsWith("#memjcache.") ? line.substring(1) : line)
        .collect(Collectors.joining("\n"));
    ManagerSettings settings = resolve(file(active));
    assertEquals("127.0.0.1:11211", settings.client().servers().get(0).name());
    Properties parsed = new Properties();
    parsed.load(new java.io.StringReader(active));
    assertEquals(24, parsed.size(), "every setting appears once: " + parsed.keySet());
  }
}
