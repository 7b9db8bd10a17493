package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bytes in memcached are untrusted: foreign classes are refused, garbage is a miss, and neither blocks writes. */
class HostileEntriesTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(2);

  /** Stands in for a gadget: serializable, harmless, and on nobody's allowlist. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void aClassOutsideTheAllowlistIsRefusedClearlyButCanBeRemovedAndOverwritten() {
    String namespace = ClusterCaches.uniqueNamespace();
    CacheManager victim = ClusterCaches.newManager(CLUSTER, namespace);
    Properties permissive = new Properties();
    permissive.setProperty("memjcache.deserialization.allowlist", Gadget.class.getName());
    CacheManager attacker = ClusterCaches.newManager(CLUSTER, namespace, permissive);
    try {
      Cache<String, Object> cache = victim.createCache("c", new MutableConfiguration<String, Object>());
      Cache<String, Object> planted = attacker.createCache("c", new MutableConfiguration<String, Object>());
      planted.put("k", new Gadget());
      planted.put("k2", new Gadget());

      CacheException refused = assertThrows(CacheException.class, () -> cache.get("k"));
      assertTrue(refused.getMessage().contains(Gadget.class.getName()), refused.getMessage());
      assertFalse(cache.containsKey("k"), "a key whose get finds no value is not contained");

      assertFalse(cache.remove("k"), "nothing readable was there");
      assertNull(planted.get("k"), "but the planted entry is gone");
      cache.put("k2", "mine");
      assertEquals("mine", cache.get("k2"));
    } finally {
      victim.close();
      attacker.close();
    }
  }

  @Test
  void garbageAndForeignFormatsAreMissesNotExceptions() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace);
    try {
      Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<String, String>());
      String prefix = namespace + ":c:=";
      plantEverywhere(prefix + "garbage", 1, "\u0000\u00ff\u0013junk");
      plantEverywhere(prefix + "future", 7, "format version 7");
      plantEverywhere(prefix + "truncated", 1 | (1 << 9), "abc");

      for (String key : new String[] {"garbage", "future", "truncated"}) {
        // containsKey answers what get would: an entry whose bytes cannot be read is not contained.
        assertFalse(cache.containsKey(key), key);
        assertNull(cache.get(key), key);
        cache.put(key, "repaired");
        assertTrue(cache.containsKey(key), key);
        assertEquals("repaired", cache.get(key), key);
      }
    } finally {
      manager.close();
    }
  }

  /**
   * A key of a class this cache refuses (java.io.File, or a key class a rolling deploy changed),
   * a value of a refused class and a garbage value under readable keys: iteration skips them with
   * one warning, removeAll() and clear() delete them, and neither throws.
   */
  @Test
  void entriesOfRefusedClassesDoNotBlockIterationRemoveAllOrClear() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    CacheManager manager = ClusterCaches.newManager(CLUSTER, namespace);
    try {
      Cache<Object, Object> cache = manager.createCache("c", new MutableConfiguration<Object, Object>());
      for (Runnable deleteAll : List.<Runnable>of(cache::removeAll, cache::clear)) {
        cache.put("a", "1");
        cache.put("b", "2");
        File fileKey = new File("planted");
        RawItems.plant(CLUSTER, cache, fileKey, RawItems.memcachedKey(namespace, "c", fileKey), RawItems.string("x"));
        RawItems.plant(CLUSTER, cache, "refusedValue", namespace + ":c:=refusedValue",
            RawItems.javaSerialized(new File("v")));
        RawItems.plant(CLUSTER, cache, "garbageValue", namespace + ":c:=garbageValue", new byte[] {99, 1, 2});

        Set<Object> iterated = new HashSet<>();
        String log = capturingStandardError(() -> cache.forEach(entry -> iterated.add(entry.getKey())));
        assertEquals(Set.of("a", "b"), iterated);
        assertEquals(1, log.lines().filter(line -> line.contains("unreadable entry")).count(),
            "one warning for the iteration, not one per entry: " + log);

        deleteAll.run();
        assertNull(cache.get(fileKey), "the entry under the refused key is deleted");
        assertNull(cache.get("refusedValue"), "the entry with the refused value is deleted");
        assertNull(cache.get("garbageValue"));
        assertFalse(cache.iterator().hasNext());
      }
    } finally {
      manager.close();
    }
  }

  /** What the loggers (slf4j-simple writes to System.err) print while {@code action} runs. */
  private static String capturingStandardError(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** A raw item on every node, so it sits wherever the ring routes the key. */
  private static void plantEverywhere(String key, int flags, String data) throws Exception {
    byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
    for (InetSocketAddress node : CLUSTER.addresses()) {
      try (Socket socket = new Socket(node.getAddress(), node.getPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(("set " + key + " " + flags + " 0 " + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] reply = new byte[8];
        int n = in.read(reply);
        assertEquals("STORED", new String(reply, 0, Math.max(0, n), StandardCharsets.US_ASCII).trim());
      }
    }
  }
}
