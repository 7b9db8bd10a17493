package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SASL PLAIN against real {@code memcached -S} nodes (a sasldb made with {@code saslpasswd2}, from
 * Debian's sasl2-bin): the right password works, a wrong one fails getCacheManager clearly, and
 * the password shows nowhere.
 */
class SaslTest {

  private static final String USER = "alice";
  private static final String PASSWORD = "pw-7f3a9c51e2";
  private static final Path SASL_DIR = saslConfiguration();

  @RegisterExtension
  static final MemcachedCluster CLUSTER =
      MemcachedCluster.nodes(2).withArgs("-S").withEnv("SASL_CONF_PATH", SASL_DIR.toString());

  /** A SASL configuration folder: memcached.conf (PLAIN, our sasldb) and the sasldb with one user. */
  private static Path saslConfiguration() {
    try {
      Path dir = Files.createTempDirectory("memjcache-sasl-");
      dir.toFile().deleteOnExit();
      Path sasldb = dir.resolve("sasldb2");
      // /usr/sbin is not on every user's PATH.
      String saslpasswd2 = Files.isExecutable(Path.of("/usr/sbin/saslpasswd2")) ? "/usr/sbin/saslpasswd2" : "saslpasswd2";
      Process p = new ProcessBuilder(saslpasswd2, "-p", "-a", "memcached", "-c", "-f", sasldb.toString(), USER)
          .redirectErrorStream(true).start();
      p.getOutputStream().write(PASSWORD.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("saslpasswd2 failed (package sasl2-bin): " + output);
      }
      // memcached may run as nobody (under root): it must be able to read both files.
      Files.setPosixFilePermissions(sasldb, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(dir.resolve("memcached.conf"), "mech_list: plain\nsasldb_path: " + sasldb + "\n");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static CacheManager manager(String password) {
    Properties properties = new Properties();
    properties.setProperty("memjcache.username", USER);
    properties.setProperty("memjcache.password", password);
    URI uri = URI.create("memcached://" + CLUSTER.serverList() + "?namespace=" + ClusterCaches.uniqueNamespace()
        + "&connectTimeoutMillis=3000");
    return Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(SaslTest.class.getClassLoader()) {}, properties);
  }

  @Test
  void theRightPasswordWorks() {
    try (CacheManager manager = manager(PASSWORD)) {
      Cache<String, Integer> cache = manager.createCache("c", new MutableConfiguration<String, Integer>());
      for (int i = 0; i < 50; i++) {
        cache.put("k" + i, i);
      }
      for (int i = 0; i < 50; i++) {
        assertEquals(i, cache.get("k" + i));
      }
      assertTrue(cache.replace("k1", 1, 100));
      assertEquals(100, cache.get("k1"));
      String shown = manager.unwrap(MemcachedCacheManager.class).getSettings().toString();
      assertFalse(shown.contains(PASSWORD), shown);
      assertTrue(shown.contains("password=******") && shown.contains("username=" + USER), shown);
      // Enumeration needs the text protocol, which SASL turns off: a clear refusal, not a hang.
      CacheException enumeration = assertThrows(CacheException.class, () -> cache.iterator().hasNext());
      assertTrue(enumeration.getMessage().contains("unavailable with SASL authentication"), enumeration.getMessage());
    }
  }

  @Test
  void aWrongPasswordFailsAtStartClearly() {
    long start = System.nanoTime();
    CacheManager manager = manager("not-the-password");
    // The client connects when the manager first needs memcached: creating a cache.
    CacheException refused = assertThrows(CacheException.class,
        () -> manager.createCache("c", new MutableConfiguration<String, Integer>()));
    manager.close();
    assertTrue(refused.getMessage().contains("refused SASL PLAIN authentication as user 'alice'"), refused.getMessage());
    assertFalse(refused.getMessage().contains("not-the-password"), refused.getMessage());
    assertTrue(System.nanoTime() - start < 10_000_000_000L, "failed within the connect timeout");
  }

  @Test
  void thePasswordShowsInNoLogLineMxBeanNameOrMessage() throws Exception {
    StringBuilder shown = new StringBuilder();
    try (StdErrCapture logged = new StdErrCapture()) {
      try (CacheManager manager = manager(PASSWORD)) {
        Cache<String, Integer> cache = manager.createCache("c", new MutableConfiguration<String, Integer>()
            .setStatisticsEnabled(true).setManagementEnabled(true));
        cache.put("k", 1);
        shown.append(manager).append(cache).append(manager.getCacheNames());
        for (javax.management.ObjectName name
            : java.lang.management.ManagementFactory.getPlatformMBeanServer().queryNames(null, null)) {
          shown.append(name).append('\n');
        }
      }
      CacheManager wrong = manager("Wrong-" + PASSWORD);
      CacheException refused = assertThrows(CacheException.class,
          () -> wrong.createCache("c", new MutableConfiguration<String, Integer>()));
      wrong.close();
      java.io.StringWriter trace = new java.io.StringWriter();
      refused.printStackTrace(new java.io.PrintWriter(trace));
      shown.append(trace);
      shown.append(logged.text());
    }
    assertFalse(shown.toString().contains(PASSWORD), shown.toString());
  }

  @Test
  void thePasswordIsRefusedInAUri() {
    CacheException refused = assertThrows(CacheException.class, () ->
        Caching.getCachingProvider(MemcachedCachingProvider.class.getName()).getCacheManager(
            URI.create("memcached://" + CLUSTER.serverList() + "?username=" + USER + "&password=" + PASSWORD),
            new ClassLoader(getClass().getClassLoader()) {}));
    assertFalse(refused.getMessage().contains(PASSWORD), refused.getMessage());
    assertTrue(refused.getMessage().contains("memjcache.password"), refused.getMessage());
  }
}
