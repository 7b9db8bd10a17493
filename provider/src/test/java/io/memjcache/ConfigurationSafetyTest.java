package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration that must be refused or must not leak, against real memcached nodes: secrets in a
 * CacheManager URI (user info, any spelling of a secret key), numbers and durations that do not
 * fit, unknown {@code memjcache.*} system properties, and IPv6 node addresses on a real {@code
 * [::1]} loopback (in a child JVM: this suite runs with {@code java.net.preferIPv4Stack=true}).
 */
class ConfigurationSafetyTest {

  private static final String PASSWORD = "Pw9xQ7zSecret";
  /** A password with characters a URI must encode: checked raw and encoded. */
  private static final String ODD_PASSWORD = "p@ss w/rd+42";
  private static final String INTEGRITY = "Integrity-Secret-4f8a2c71d9";

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(2);

  @TempDir Path dir;

  private static CachingProvider provider() {
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName());
  }

  private static ClassLoader freshLoader() {
    return new ClassLoader(ConfigurationSafetyTest.class.getClassLoader()) {};
  }

  /** Every message, cause and stack frame of {@code failure}, as printed. */
  private static String printed(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  private static void assertNoSecret(String shown) {
    for (String secret : List.of(PASSWORD, ODD_PASSWORD, INTEGRITY)) {
      String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
      for (String spelling : List.of(secret, encoded, encoded.replace("+", "%20"))) {
        assertFalse(shown.toLowerCase().contains(spelling.toLowerCase()), "a secret shows: " + shown);
      }
    }
  }

  @Test
  void userInfoInAUriIsRefusedWithoutEchoingIt() {
    String first = CLUSTER.serverList().split(",")[0];
    for (String uri : List.of(
        "memcached://alice:" + PASSWORD + "@" + first,
        "memcached://alice:" + PASSWORD + "@" + CLUSTER.serverList() + "?namespace=x",
        "memcached://alice:" + URLEncoder.encode(ODD_PASSWORD, StandardCharsets.UTF_8) + "@" + first,
        "other://alice:" + PASSWORD + "@somewhere/x")) {
      CacheException refused =
          assertThrows(CacheException.class, () -> provider().getCacheManager(URI.create(uri), freshLoader()), uri);
      assertTrue(refused.getMessage().contains("user info"), refused.getMessage());
      assertNoSecret(printed(refused));
    }
  }

  @Test
  void secretsInAUriAreRefusedInEverySpellingWithoutEchoingThem() {
    String base = "memcached://" + CLUSTER.serverList() + "?namespace=" + ClusterCaches.uniqueNamespace();
    String odd = URLEncoder.encode(ODD_PASSWORD, StandardCharsets.UTF_8);
    List<String> uris = List.of(
        base + "&password=" + PASSWORD,
        base + "&Password=" + PASSWORD,
        base + "&PASSWORD=" + odd,
        base + "&pass%77ord=" + PASSWORD,
        base + "&memjcache.password=" + PASSWORD,
        base + "&bogus=1&password=" + PASSWORD,
        base + "&username=alice&Password=" + odd + "&operationTimeoutMillis=fast",
        base + "&integrity.secret=" + INTEGRITY,
        base + "&Integrity.Secret=" + INTEGRITY,
        base + "&integrity%2Esecret=" + INTEGRITY,
        base + "&INTEGRITY%2esecret=" + INTEGRITY + "&timeout=3",
        "memjcache:default?password=" + PASSWORD,
        "memjcache:shop?Integrity.Secret=" + INTEGRITY);
    for (String uri : uris) {
      CacheException refused =
          assertThrows(CacheException.class, () -> provider().getCacheManager(URI.create(uri), freshLoader()), uri);
      assertTrue(refused.getMessage().contains("may not be given in a CacheManager URI"), refused.getMessage());
      assertNoSecret(printed(refused));
    }
    // A misspelt secret key is merely unknown: named, with every value in the URI shown masked.
    CacheException typo = assertThrows(CacheException.class,
        () -> provider().getCacheManager(URI.create(base + "&passwd=" + PASSWORD), freshLoader()));
    assertTrue(typo.getMessage().contains("unknown setting 'memjcache.passwd'") && typo.getMessage().contains("passwd=******"),
        typo.getMessage());
    assertNoSecret(printed(typo));
  }

  @Test
  void noMessageLogLineMxBeanNameOrToStringShowsASecret() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    Properties properties = new Properties();
    properties.setProperty("memjcache.integrity.secret", INTEGRITY);
    properties.setProperty("memjcache.cache.default.nearCache.maxEntries", "100");
    List<String> shown = new ArrayList<>();
    try (StdErrCapture logged = new StdErrCapture()) {
      // A bad value elsewhere, with the secret set: the message names the bad key only.
      Properties bad = new Properties();
      bad.putAll(properties);
      bad.setProperty("memjcache.operationTimeoutMillis", "soon");
      shown.add(printed(assertThrows(CacheException.class,
          () -> provider().getCacheManager(uri(namespace), freshLoader(), bad))));
      Properties shortSecret = new Properties();
      shortSecret.setProperty("memjcache.integrity.secret", INTEGRITY.substring(0, 9));
      shown.add(printed(assertThrows(CacheException.class,
          () -> provider().getCacheManager(uri(namespace), freshLoader(), shortSecret))));

      try (CacheManager manager = provider().getCacheManager(uri(namespace), freshLoader(), properties)) {
        MutableConfiguration<String, String> configuration = new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class).setStatisticsEnabled(true).setManagementEnabled(true);
        Cache<String, String> cache = manager.createCache("secrets", configuration);
        for (int i = 0; i < 20; i++) {
          cache.put("k" + i, "v" + i);
          assertEquals("v" + i, cache.get("k" + i));
        }
        shown.add(manager.toString());
        shown.add(cache.toString());
        shown.add(manager.unwrap(MemcachedCacheManager.class).getSettings().toString());
        shown.add(cache.getConfiguration(MutableConfiguration.class).toString());
        for (ObjectName name : ManagementFactory.getPlatformMBeanServer().queryNames(null, null)) {
          shown.add(name.toString());
        }
        CacheManager killed = provider().getCacheManager(
            URI.create("memcached://127.0.0.1:1?namespace=" + namespace + "&connectTimeoutMillis=200&operationTimeoutMillis=200"),
            freshLoader(), properties);
        shown.add(printed(assertThrows(CacheException.class,
            () -> killed.createCache("down", new MutableConfiguration<String, String>()).put("k", "v"))));
        killed.close();
      }
      shown.add(logged.text());
    }
    for (String text : shown) {
      assertNoSecret(text);
    }
  }

  @Test
  void numbersThatDoNotFitAreRefusedNamingTheKey() throws IOException {
    String[][] cases = {
        {"memjcache.operationTimeoutMillis", "4294967297"},
        {"memjcache.connectTimeoutMillis", "99999999999999999999"},
        {"memjcache.connectionPoolSize", "4294967297"},
        {"memjcache.maxCasRetries", "4294967297"},
        {"memjcache.cache.default.nearCache.maxEntries", "4294967297"},
        {"memjcache.cache.default.nearCache.staleness", "99999999999999999999d"},
        {"memjcache.cache.default.nearCache.staleness", "106751991167301d"},
        {"memjcache.cache.default.nearCache.staleness", "400d"},
        {"memjcache.cache.default.expiry", "created:9223372036854775807s"},
        {"memjcache.cache.default.expiry", "created:PT-5S"},
    };
    for (String[] c : cases) {
      Properties properties = new Properties();
      properties.setProperty(c[0], c[1]);
      Exception refused = assertThrows(CacheException.class,
          () -> provider().getCacheManager(uri(ClusterCaches.uniqueNamespace()), freshLoader(), properties),
          c[0] + " = " + c[1]);
      assertTrue(refused.getMessage().contains(c[0]) && refused.getMessage().contains("CacheManager properties"),
          refused.getMessage());
    }
    // From a file: the message also names the file.
    Path file = dir.resolve("memjcache.properties");
    Files.writeString(file, "memjcache.servers = " + CLUSTER.serverList() + "\nmemjcache.operationTimeoutMillis = 4294967297\n");
    CacheException refused = assertThrows(CacheException.class,
        () -> provider().getCacheManager(file.toUri(), freshLoader()));
    assertTrue(refused.getMessage().contains("memjcache.operationTimeoutMillis")
        && refused.getMessage().contains(file.toUri().toString()), refused.getMessage());
  }

  @Test
  void anUnknownMemjcacheSystemPropertyFailsGetCacheManager() {
    String typo = "memjcache.operationTimeoutMilis";
    String mixedCaseSecret = "memjcache.Password";
    for (String key : List.of(typo, mixedCaseSecret)) {
      System.setProperty(key, PASSWORD);
      try {
        CacheException refused = assertThrows(CacheException.class,
            () -> provider().getCacheManager(uri(ClusterCaches.uniqueNamespace()), freshLoader()), key);
        assertTrue(refused.getMessage().contains("unknown setting '" + key + "' in system properties"), refused.getMessage());
        assertNoSecret(printed(refused));
      } finally {
        System.clearProperty(key);
      }
    }
    // Known keys as system properties still work.
    System.setProperty("memjcache.cache.default.nearCache.staleness", "2s");
    try (CacheManager manager = provider().getCacheManager(uri(ClusterCaches.uniqueNamespace()), freshLoader())) {
      Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<String, String>());
      cache.put("k", "v");
      assertEquals("v", cache.get("k"));
    } finally {
      System.clearProperty("memjcache.cache.default.nearCache.staleness");
    }
  }

  @Test
  void ipv6NodesWorkInEverySpellingOnARealIpv6Loopback() throws Exception {
    // Parsing holds everywhere; the real nodes need ::1 on the loopback (Linux: /proc/net/if_inet6).
    CacheException unbracketed = assertThrows(CacheException.class, () -> provider().getCacheManager(
        URI.create("memjcache:v6"), freshLoader(), servers("::1:11211")));
    assertTrue(unbracketed.getMessage().contains("memjcache.servers") && unbracketed.getMessage().contains("brackets"),
        unbracketed.getMessage());
    try (CacheManager longForm = provider().getCacheManager(
        URI.create("memjcache:v6-" + ClusterCaches.uniqueNamespace()), freshLoader(), servers("[0:0:0:0:0:0:0:1]"))) {
      assertEquals("[::1]:11211", longForm.unwrap(MemcachedCacheManager.class).getSettings().servers().get(0).name());
    }
    Path interfaces = Path.of("/proc/net/if_inet6");
    if (!Files.isReadable(interfaces) || !Files.readString(interfaces).contains("00000000000000000000000000000001")) {
      // Not a skip: the parsing above ran; real nodes on [::1] need IPv6 on the loopback.
      System.out.println("ConfigurationSafetyTest: no ::1 on this machine's loopback, IPv6 nodes not started");
      return;
    }
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.net.preferIPv4Stack=false",
            "-cp", System.getProperty("java.class.path"),
            Ipv6ClusterMain.class.getName())
        .redirectErrorStream(true)
        .start();
    child.getOutputStream().close();
    byte[] output = child.getInputStream().readAllBytes(); // ends when the child exits
    assertTrue(child.waitFor(90, TimeUnit.SECONDS), "child JVM did not finish");
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), text);
    assertTrue(text.contains("IPV6 OK mismatches=0"), text);
  }

  /** The test cluster, settings only from the Properties. */
  private static URI uri(String namespace) {
    return URI.create("memcached://" + CLUSTER.serverList() + "?namespace=" + namespace);
  }

  private static Properties servers(String list) {
    Properties properties = new Properties();
    properties.setProperty("memjcache.servers", list);
    return properties;
  }
}
