package io.memjcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real JVMs: this one near-caches a key while a second JVM process overwrites it. Every value
 * this JVM reads must be no older than the staleness bound (plus a small margin for the
 * processes' scheduling), and each new value must show within that time.
 */
class NearCacheTwoJvmTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final long STALENESS_MILLIS = 300;
  private static final long MARGIN_MILLIS = 100;

  record Observation(long at, int value) {}

  @Test
  void anotherJvmsWritesAreSeenWithinTheBound() throws Exception {
    String namespace = "twojvm" + UUID.randomUUID().toString().substring(0, 8);
    URI uri = URI.create("memcached://" + CLUSTER.serverList() + "?namespace=" + namespace);
    Properties properties = new Properties();
    properties.setProperty("memjcache.cache.shared.nearCache.maxEntries", "100");
    properties.setProperty("memjcache.cache.shared.nearCache.staleness", STALENESS_MILLIS + "ms");
    CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {}, properties);
    try {
      Cache<String, Integer> cache = manager.createCache("shared", new MutableConfiguration<String, Integer>());
      cache.put("k", 0);
      assertEquals(0, cache.get("k"));

      int writes = 6;
      Process writer = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", System.getProperty("java.class.path"),
              ValueWriterMain.class.getName(), uri.toString(), "shared", "k", String.valueOf(writes), "250")
          .redirectErrorStream(true)
          .start();
      List<Observation> observations = new ArrayList<>();
      TreeMap<Integer, Long> writtenAt = new TreeMap<>();
      List<String> output = new ArrayList<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            synchronized (output) {
              output.add(line);
            }
          }
        } catch (Exception e) {
          // the process ended
        }
      });
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (writer.isAlive() && System.nanoTime() < deadline) {
        Integer value = cache.get("k");
        observations.add(new Observation(System.currentTimeMillis(), value));
        Thread.sleep(3);
      }
      // Keep reading past the last write for a full bound.
      long until = System.currentTimeMillis() + STALENESS_MILLIS + MARGIN_MILLIS;
      while (System.currentTimeMillis() < until) {
        observations.add(new Observation(System.currentTimeMillis(), cache.get("k")));
        Thread.sleep(3);
      }
      assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer JVM finished");
      reader.join(5000);
      assertEquals(0, writer.exitValue(), "writer JVM output: " + output);
      for (String line : output) {
        if (line.startsWith("WROTE ")) {
          String[] parts = line.split(" ");
          writtenAt.put(Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
        }
      }
      assertEquals(writes, writtenAt.size(), "writer JVM output: " + output);

      int checked = 0;
      for (Observation o : observations) {
        // The newest value whose write had returned more than bound + margin before this read.
        int mustSeeAtLeast = 0;
        for (var w : writtenAt.entrySet()) {
          if (w.getValue() + STALENESS_MILLIS + MARGIN_MILLIS <= o.at()) {
            mustSeeAtLeast = w.getKey();
          }
        }
        assertTrue(o.value() >= mustSeeAtLeast,
            "read " + o.value() + " at " + o.at() + " but value " + mustSeeAtLeast + " was written at "
                + writtenAt.get(mustSeeAtLeast) + " (bound " + STALENESS_MILLIS + " ms)");
        checked++;
      }
      assertEquals(writes, observations.get(observations.size() - 1).value(), "the last write is seen");
      assertTrue(checked > 100, "enough reads to mean something: " + checked);
    } finally {
      manager.close();
    }
  }
}
