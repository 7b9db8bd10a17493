package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.codec.Envelope;
import io.memjcache.testing.MemcachedCluster;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * memjcache.integrity.secret: entries are sealed with an HMAC, and with the secret set, entries
 * nobody sealed with it (forged, copied from another key, sealed with another secret) are misses.
 */
class IntegrityTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  private static final String SECRET = "correct horse battery staple";

  private static CacheManager manager(String namespace, String secret) {
    Properties properties = new Properties();
    if (secret != null) {
      properties.setProperty("memjcache.integrity.secret", secret);
    }
    return ClusterCaches.newManager(CLUSTER, namespace, properties);
  }

  @Test
  void entriesWithoutAValidSealAreMissesAndWritesReplaceThem() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (CacheManager sealed = manager(namespace, SECRET);
        CacheManager unsealed = manager(namespace, null);
        CacheManager otherSecret = manager(namespace, "another secret of enough length")) {
      Cache<String, String> cache = sealed.createCache("c", new MutableConfiguration<String, String>());
      Cache<String, String> forger = unsealed.createCache("c", new MutableConfiguration<String, String>());
      Cache<String, String> stranger = otherSecret.createCache("c", new MutableConfiguration<String, String>());

      cache.put("k", "genuine");
      assertEquals("genuine", cache.get("k"));
      RawItem item = RawItem.get(namespace + ":c:=k");
      assertTrue((item.flags & Envelope.HAS_MAC) != 0, "stored sealed");
      assertEquals("genuine", forger.get("k"), "a reader without the secret still reads sealed entries");
      assertNull(stranger.get("k"), "a reader with another secret refuses them");

      forger.put("forged", "planted");
      assertEquals("planted", forger.get("forged"));
      assertNull(cache.get("forged"), "an unsealed entry is a miss");
      assertFalse(cache.containsKey("forged"));
      cache.put("forged", "repaired");
      assertEquals("repaired", cache.get("forged"));

      // A genuine sealed entry copied under another key: the seal covers the key, so it is refused.
      item.set(namespace + ":c:=copy");
      assertNull(cache.get("copy"));

      // A flipped bit in the sealed bytes: the type tag, then a value byte in the middle.
      byte[] tampered = item.data.clone();
      tampered[0] ^= 1;
      new RawItem(item.flags, tampered).set(namespace + ":c:=k");
      assertNull(cache.get("k"));
      byte[] valueByte = item.data.clone();
      valueByte[4] ^= 1; // "genuine" becomes "gentine": still a readable String without the seal
      new RawItem(item.flags, valueByte).set(namespace + ":c:=k");
      assertEquals("gentine", forger.get("k"), "the tampered bytes are readable to a reader without the secret");
      assertNull(cache.get("k"), "a value byte is covered by the seal");
      assertFalse(cache.containsKey("k"));
    }
  }

  /**
   * A flipped flag bit that still leaves readable bytes: with HAS_EXPIRY set, the first 8 bytes of
   * "1234567\u0001abc" read as a far-future expiry and the rest as the String "abc". Only a seal
   * that covers the flags refuses it.
   */
  @Test
  void theSealCoversTheFlags() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    try (CacheManager sealed = manager(namespace, SECRET);
        CacheManager unsealed = manager(namespace, null)) {
      Cache<String, String> cache = sealed.createCache("c", new MutableConfiguration<String, String>());
      Cache<String, String> reader = unsealed.createCache("c", new MutableConfiguration<String, String>());
      cache.put("k", "1234567\u0001abc");
      RawItem item = RawItem.get(namespace + ":c:=k");
      assertEquals(0, item.flags & Envelope.HAS_EXPIRY, "stored eternal");
      new RawItem(item.flags | Envelope.HAS_EXPIRY, item.data).set(namespace + ":c:=k");
      assertEquals("abc", reader.get("k"), "the flipped flag gives other readable bytes");
      assertNull(cache.get("k"), "the flags are covered by the seal");
    }
  }

  @Test
  void theSecretIsNeverShownAndMustBeLongEnough() {
    String namespace = ClusterCaches.uniqueNamespace();
    try (CacheManager sealed = manager(namespace, SECRET)) {
      String shown = sealed.unwrap(MemcachedCacheManager.class).getSettings().toString();
      assertFalse(shown.contains(SECRET), shown);
      assertTrue(shown.contains("integritySecret=******"), shown);
    }
    CacheException inUri = assertThrows(CacheException.class, () ->
        Caching.getCachingProvider(MemcachedCachingProvider.class.getName()).getCacheManager(
            URI.create("memcached://" + CLUSTER.serverList() + "?integrity.secret=" + SECRET.replace(' ', '+')),
            new ClassLoader(getClass().getClassLoader()) {}));
    assertFalse(inUri.getMessage().contains("horse"), inUri.getMessage());
    assertTrue(inUri.getMessage().contains("memjcache.integrity.secret"), inUri.getMessage());
    CacheException tooShort = assertThrows(CacheException.class, () -> manager(namespace, "short"));
    assertTrue(tooShort.getMessage().contains("at least 16 bytes"), tooShort.getMessage());
    assertFalse(tooShort.getMessage().contains("short'"), tooShort.getMessage());
    assertNotEquals(SECRET, tooShort.getMessage());
  }

  /** One item read and written with memcached's text protocol, bytes as they are. */
  private record RawItem(int flags, byte[] data) {

    static InetSocketAddress node() {
      return CLUSTER.addresses().get(0);
    }

    static RawItem get(String key) throws Exception {
      try (Socket socket = new Socket(node().getAddress(), node().getPort())) {
        socket.getOutputStream().write(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String[] header = line(in).split(" "); // VALUE <key> <flags> <bytes>
        assertEquals("VALUE", header[0]);
        byte[] data = new byte[Integer.parseInt(header[3])];
        in.readFully(data);
        return new RawItem(Integer.parseInt(header[2]), data);
      }
    }

    void set(String key) throws Exception {
      try (Socket socket = new Socket(node().getAddress(), node().getPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(("set " + key + " " + flags + " 0 " + data.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("STORED", line(socket.getInputStream()));
      }
    }

    private static String line(InputStream in) throws Exception {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != '\n' && c >= 0) {
        if (c != '\r') {
          bytes.write(c);
        }
      }
      return bytes.toString(StandardCharsets.US_ASCII);
    }
  }
}
