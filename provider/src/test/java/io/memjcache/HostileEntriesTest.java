package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
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
        assertNull(cache.get(key), key);
        assertFalse(cache.containsKey(key) && cache.get(key) != null, key);
        cache.put(key, "repaired");
        assertEquals("repaired", cache.get(key), key);
      }
    } finally {
      manager.close();
    }
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
