package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bytes written straight into memcached under a cache's key must not hang a get, exhaust the
 * heap or make the JVM call out: each payload is answered (a miss or a CacheException) quickly,
 * and nothing else leaves get.
 */
class DeserializationLimitsTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  /** A get of a payload must answer within this (the best of several: the machine is shared). */
  private static final long ANSWER_MILLIS = 100;
  /** Before the limits, a payload kept get busy for minutes: give up on it after this. */
  private static final long GIVE_UP_SECONDS = 20;

  /** The nested-HashSet hash bomb ("SerialDOS"): 40 levels, about 4 KB, 2^40 hashCode calls to read. */
  static byte[] hashBomb() throws Exception {
    Set<Object> root = new HashSet<>();
    Set<Object> s1 = root;
    Set<Object> s2 = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      Set<Object> t1 = new HashSet<>();
      Set<Object> t2 = new HashSet<>();
      t1.add("x"); // t1 and t2 must differ, or the sets collapse
      s1.add(t1);
      s1.add(t2);
      s2.add(t1);
      s2.add(t2);
      s1 = t1;
      s2 = t2;
    }
    return RawItems.javaSerialized((Serializable) root);
  }

  /** A stream of about 30 bytes declaring a long[100_000_000] (800 MB). */
  static byte[] hugeArray() throws Exception {
    byte[] stream = RawItems.javaSerialized(new long[0]);
    ByteBuffer.wrap(stream).putInt(stream.length - 4, 100_000_000); // the array length is last
    return stream;
  }

  /**
   * The URLDNS gadget: a HashMap whose key is a URL; reading it hashes the URL, which resolves its
   * host. Built with a handler that never resolves, so writing the payload calls nobody either.
   */
  static byte[] urlDns() throws Exception {
    URLStreamHandler inert = new URLStreamHandler() {
      @Override
      protected URLConnection openConnection(URL u) {
        throw new UnsupportedOperationException();
      }

      @Override
      protected int hashCode(URL u) {
        return 0;
      }
    };
    HashMap<URL, String> map = new HashMap<>();
    map.put(new URL(null, "http://x.invalid/", inert), "v");
    return RawItems.javaSerialized(map);
  }

  /** A list that contains itself, in a HashSet: hashing it on insertion recurses until the stack overflows. */
  static byte[] selfContainingList() throws Exception {
    List<Object> list = new ArrayList<>();
    HashSet<Object> set = new HashSet<>();
    set.add(list);
    list.add(list);
    return RawItems.javaSerialized(set);
  }

  @Test
  void plantedPayloadsAreAnsweredQuicklyAsMissesOrCacheExceptions() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace)) {
      Cache<String, Object> cache = manager.createCache("c", new MutableConfiguration<String, Object>());
      Map<String, byte[]> payloads = new TreeMap<>();
      payloads.put("hashBomb", hashBomb());
      payloads.put("wideHashBomb", wideHashBomb(3, 16));
      payloads.put("urlDns", urlDns());
      payloads.put("selfContainingList", selfContainingList());
      for (Map.Entry<String, byte[]> payload : payloads.entrySet()) {
        RawItems.plant(CLUSTER, cache, payload.getKey(), namespace + ":c:=" + payload.getKey(), payload.getValue());
      }
      List<String> failures = new ArrayList<>();
      for (String key : payloads.keySet()) {
        String failure = answerTimes(cache, key);
        if (failure != null) {
          failures.add(failure);
        }
      }
      assertTrue(failures.isEmpty(), String.join("\n", failures));
      CacheException url = assertThrows(CacheException.class, () -> cache.get("urlDns"));
      assertTrue(url.getMessage().contains("java.net.URL"), "a URL is refused, never hashed: " + url.getMessage());
    }
  }

  /** Reads {@code key} several times; null when every answer was right and the best quick, else why not. */
  private static String answerTimes(Cache<String, Object> cache, String key) throws Exception {
    // A thread per payload: a get that never answers must not hold up the next payload, nor
    // keep the test JVM alive.
    ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "payload-reader-" + key);
      thread.setDaemon(true);
      return thread;
    });
    try {
      long[] millis = new long[7];
      for (int i = 0; i < millis.length; i++) {
        long start = System.nanoTime();
        Future<Object> answer = reader.submit(() -> {
          try {
            return cache.get(key);
          } catch (CacheException e) {
            return e;
          }
        });
        Object outcome;
        try {
          outcome = answer.get(GIVE_UP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          return key + ": get still busy after " + GIVE_UP_SECONDS + " s";
        } catch (ExecutionException e) {
          return key + ": get threw " + e.getCause();
        }
        millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (outcome != null && !(outcome instanceof CacheException)) {
          return key + ": answered a " + outcome.getClass().getName();
        }
        if (key.equals("urlDns") && outcome != null && !((CacheException) outcome).getMessage().contains("java.net.URL")) {
          return key + ": a URL must be refused, never hashed: " + outcome;
        }
      }
      Arrays.sort(millis);
      System.out.println(key + ": answered in " + Arrays.toString(millis) + " ms");
      return millis[0] <= ANSWER_MILLIS ? null : key + ": best answer " + millis[0] + " ms " + Arrays.toString(millis);
    } finally {
      reader.shutdownNow();
    }
  }

  /**
   * A graph of cheap steps repeated very often: 18,000 small lists in a HashSet, each holding the
   * same list of 64,000 strings, so that each insertion hashes all of them (10^9 steps, under 1 MB).
   * No structure limit catches it; the CPU budget of a read does.
   */
  @Test
  void aReadThatRepeatsCheapStepsIsStoppedByItsCpuBudget() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace)) {
      Cache<String, Object> cache = manager.createCache("c", new MutableConfiguration<String, Object>());
      List<Object> shared = new ArrayList<>();
      for (int i = 0; i < 64_000; i++) {
        shared.add(Integer.toString(i, 36));
      }
      HashSet<Object> root = new HashSet<>();
      for (int i = 0; i < 18_000; i++) {
        root.add(new ArrayList<>(List.of(shared, i)));
      }
      byte[] payload = RawItems.javaSerialized(root);
      assertTrue(payload.length < 1_000_000, payload.length + " bytes");
      RawItems.plant(CLUSTER, cache, "repeated", namespace + ":c:=repeated", payload);
      long start = System.nanoTime();
      CacheException refused = assertThrows(CacheException.class, () -> cache.get("repeated"));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(refused.getMessage().contains("ms of CPU"), refused.getMessage());
      System.out.println("repeated: refused in " + millis + " ms");
      assertTrue(millis < 30_000, "answered in " + millis + " ms (1 s of CPU, on a shared machine)");
    }
  }

  /**
   * With an integrity secret, planted bytes are refused before deserialization, at once: the
   * defence that needs no limit to be right.
   */
  @Test
  void withAnIntegritySecretPlantedBytesAreNeverDeserialized() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    Properties sealed = new Properties();
    sealed.setProperty("memjcache.integrity.secret", "a secret of more than sixteen bytes");
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace, sealed)) {
      Cache<String, Object> cache = manager.createCache("c", new MutableConfiguration<String, Object>());
      Map<String, byte[]> payloads = new TreeMap<>();
      payloads.put("wideBomb", wideHashBomb(3, 16));
      payloads.put("hashBomb", hashBomb());
      payloads.put("urlDns", urlDns());
      for (Map.Entry<String, byte[]> payload : payloads.entrySet()) {
        RawItems.plant(CLUSTER, cache, payload.getKey(), namespace + ":c:=" + payload.getKey(), payload.getValue());
        long start = System.nanoTime();
        assertNull(cache.get(payload.getKey()), payload.getKey() + ": an unsealed entry is a miss");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 1000, payload.getKey() + ": answered in " + millis + " ms");
      }
      for (String key : payloads.keySet()) {
        String failure = answerTimes(cache, key);
        assertNull(failure, failure);
      }
    }
  }

  /** {@code width} sets per level, each holding every set of the next level: width^levels hashCode calls. */
  static byte[] wideHashBomb(int width, int levels) throws Exception {
    HashSet<Object> root = new HashSet<>();
    List<Set<Object>> previous = List.of(root);
    for (int level = 0; level < levels; level++) {
      List<Set<Object>> next = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        Set<Object> set = new HashSet<>();
        set.add("x" + i); // distinct while still cheap to hash
        next.add(set);
      }
      for (Set<Object> parent : previous) {
        parent.addAll(next);
      }
      previous = next;
    }
    return RawItems.javaSerialized(root);
  }

  /** In a JVM of 64 MB: the huge-array payload is refused before anything is allocated. */
  @Test
  void aHugeDeclaredArrayIsRefusedUnderASmallHeap() throws Exception {
    Process probe = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m", "-Djava.net.preferIPv4Stack=true",
            "-cp", System.getProperty("java.class.path"),
            SmallHeapProbe.class.getName(), CLUSTER.serverList(), ClusterCaches.uniqueNamespace())
        .redirectErrorStream(true)
        .start();
    List<String> output = new ArrayList<>();
    Thread drain = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
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
    drain.start();
    boolean ended = probe.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    drain.join(5000);
    String printed;
    synchronized (output) {
      printed = String.join("\n", output);
    }
    assertTrue(ended, "the probe did not end within 60 s:\n" + printed);
    assertEquals(0, probe.exitValue(), printed);
    assertTrue(printed.contains("ANSWERED"), printed);
  }

  @Test
  void aConfiguredRefusalWinsOverABuiltInType() {
    String namespace = ClusterCaches.uniqueNamespace();
    Properties denying = new Properties();
    denying.setProperty("memjcache.deserialization.allowlist", "!java.util.HashSet");
    try (CacheManager writer = ClusterCaches.newManager(CLUSTER, namespace);
        CacheManager reader = ClusterCaches.newManager(CLUSTER, namespace, denying)) {
      Cache<String, Object> written = writer.createCache("c", new MutableConfiguration<String, Object>());
      Cache<String, Object> read = reader.createCache("c", new MutableConfiguration<String, Object>());
      written.put("set", new HashSet<>(Set.of("a")));
      written.put("map", new HashMap<>(Map.of("a", 1)));
      CacheException refused = assertThrows(CacheException.class, () -> read.get("set"));
      assertTrue(refused.getMessage().contains("java.util.HashSet"), refused.getMessage());
      assertEquals(Map.of("a", 1), read.get("map"), "other built-in types are still allowed");
      assertEquals(Set.of("a"), written.get("set"));
    }
  }

  record Line(String item, int quantity) implements Serializable {}

  record Order(long id, List<Line> lines, Map<String, Object> attributes) implements Serializable {}

  /** Genuine values of every shape the limits could catch by mistake still round-trip. */
  @Test
  void genuineValuesStayWithinTheLimits() {
    String namespace = ClusterCaches.uniqueNamespace();
    Properties properties = new Properties();
    properties.setProperty("memjcache.deserialization.allowlist", Order.class.getName() + ";" + Line.class.getName());
    try (CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace, properties)) {
      Cache<String, Object> cache = manager.createCache("c", new MutableConfiguration<String, Object>());
      Map<String, Object> nested = new HashMap<>();
      Map<String, Object> level = nested;
      for (int i = 0; i < 8; i++) {
        Map<String, Object> inner = new HashMap<>();
        level.put("level" + i, inner);
        level = inner;
      }
      List<Line> lines = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        lines.add(new Line("item" + i, i));
      }
      HashMap<Integer, Integer> bigMap = new HashMap<>();
      for (int i = 0; i < 20_000; i++) {
        bigMap.put(i, i);
      }
      Map<String, Object> values = new HashMap<>();
      values.put("nested", nested);
      values.put("order", new Order(1, lines, Map.of("nested", nested)));
      values.put("bigMap", bigMap);
      values.put("list", new ArrayList<>(bigMap.keySet()));
      for (Map.Entry<String, Object> value : values.entrySet()) {
        cache.put(value.getKey(), value.getValue());
        assertEquals(value.getValue(), cache.get(value.getKey()), value.getKey());
      }
      long[] longs = new long[100_000];
      longs[99_999] = 7;
      Cache<String, long[]> arrays = manager.createCache("arrays", new MutableConfiguration<String, long[]>());
      arrays.put("longs", longs);
      assertArrayEquals(longs, arrays.get("longs"));
    }
  }

  /** A JVM of its own, under a small heap: plants the huge-array payload on a one-node cluster and reads it. */
  public static final class SmallHeapProbe {
    public static void main(String[] args) throws Exception {
      String server = args[0];
      String namespace = args[1];
      InetSocketAddress node = new InetSocketAddress(
          server.substring(0, server.lastIndexOf(':')), Integer.parseInt(server.substring(server.lastIndexOf(':') + 1)));
      URI uri = URI.create("memcached://" + server + "?namespace=" + namespace + "&operationTimeoutMillis=5000");
      int status = 0;
      try (CacheManager manager = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
          .getCacheManager(uri, SmallHeapProbe.class.getClassLoader())) {
        Cache<String, Object> cache = manager.createCache("c", new MutableConfiguration<String, Object>());
        RawItems.set(node, namespace + ":c:=huge", RawItems.PLAIN_FLAGS, hugeArray());
        for (int i = 0; i < 3; i++) {
          try {
            System.out.println("ANSWERED " + cache.get("huge"));
          } catch (CacheException e) {
            System.out.println("ANSWERED " + e);
          } catch (Throwable e) {
            System.out.println("ESCAPED " + e);
            status = 2;
          }
        }
      }
      System.out.flush();
      System.exit(status);
    }
  }
}
