package io.memjcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCache;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real JVMs: this one near-caches a key while a second JVM process overwrites and removes it.
 * Every value this JVM reads must be no older than the staleness bound (plus a small margin for
 * the processes' scheduling), each new value and each removal must show within that time, and
 * most reads must have been near-cache hits (so the bound was checked on the near cache, not on
 * memcached alone).
 */
class NearCacheTwoJvmTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final long STALENESS_MILLIS = 300;
  private static final long MARGIN_MILLIS = 100;

  record Observation(long at, Integer value) {}

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

      // Puts and removes by the other JVM; each put writes a value never written before, so a
      // value read names the write it came from (null: one of the removes, or the key absent).
      List<String> operations = List.of("1", "2", "-", "3", "4", "-", "5", "6");
      Process writer = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", System.getProperty("java.class.path"),
              ValueWriterMain.class.getName(), uri.toString(), "shared", "k", String.join(",", operations), "250")
          .redirectErrorStream(true)
          .start();
      List<Observation> observations = new ArrayList<>();
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
      // doneAt[i]: when write i returned in the other JVM; write 0 is this JVM's put(k, 0).
      long[] doneAt = new long[operations.size() + 1];
      int done = 0;
      for (String line : output) {
        if (line.startsWith("DONE ")) {
          String[] parts = line.split(" ");
          doneAt[Integer.parseInt(parts[1])] = Long.parseLong(parts[3]);
          done++;
        }
      }
      assertEquals(operations.size(), done, "writer JVM output: " + output);

      int checked = 0;
      int removesSeen = 0;
      for (Observation o : observations) {
        // The newest write that had returned more than bound + margin before this read: the read
        // must show it or a later one.
        int mustSeeAtLeast = 0;
        for (int w = 1; w <= operations.size(); w++) {
          if (doneAt[w] + STALENESS_MILLIS + MARGIN_MILLIS <= o.at()) {
            mustSeeAtLeast = w;
          }
        }
        int newestMatching = -1; // the latest write that leaves the key as read
        for (int w = 0; w <= operations.size(); w++) {
          String op = w == 0 ? "0" : operations.get(w - 1);
          if (o.value() == null ? op.equals("-") : op.equals(o.value().toString())) {
            newestMatching = w;
          }
        }
        assertTrue(newestMatching >= mustSeeAtLeast,
            "read " + o.value() + " at " + o.at() + " but write #" + mustSeeAtLeast + " ("
                + (mustSeeAtLeast == 0 ? "0" : operations.get(mustSeeAtLeast - 1)) + ") had returned at "
                + doneAt[mustSeeAtLeast] + " (bound " + STALENESS_MILLIS + " ms)");
        if (o.value() == null) {
          removesSeen++;
        }
        checked++;
      }
      assertEquals(6, observations.get(observations.size() - 1).value(), "the last write is seen");
      assertTrue(removesSeen > 0, "the other JVM's removes were seen");
      assertTrue(checked > 100, "enough reads to mean something: " + checked);

      // The near cache really served: most reads were local hits (a copy serves up to 300 ms of
      // reads 3 ms apart), so the bound above was checked on near-cached values, not on memcached.
      NearCacheStatistics near = cache.unwrap(MemcachedCache.class).nearCacheStatistics();
      assertNotNull(near, "the cache has a near cache");
      long reads = near.getNearCacheHits() + near.getNearCacheMisses();
      System.out.printf("[two-jvm] %d reads checked, %d saw a removal; near-cache hits %d, misses %d%n",
          checked, removesSeen, near.getNearCacheHits(), near.getNearCacheMisses());
      assertTrue(near.getNearCacheHits() > 0 && near.getNearCacheHits() * 2 >= reads,
          "near-cache hits " + near.getNearCacheHits() + " of " + reads + " reads (" + checked + " observed)");
    } finally {
      manager.close();
    }
  }
}
