package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memjcache.codec.DeserializationFilters;
import io.memjcache.codec.KeyCodec;
import io.memjcache.codec.Serializer;
import io.memjcache.testing.MemcachedCluster;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.cache.Cache;

/**
 * Writes items straight into memcached over its text protocol, as anyone who reaches the port can:
 * the bytes an attacker, a foreign client or an older version of the application would leave.
 */
final class RawItems {

  /** The tag of a Java-serialized value in MemJCache's format (see {@link Serializer}). */
  static final byte JAVA_TAG = 0x7F;
  /** Format version 1, eternal, key not embedded: the data is the serialized value as it is. */
  static final int PLAIN_FLAGS = 1;

  private RawItems() {}

  /** The memcached key under which {@code cache} keeps {@code key} (any serializable key). */
  static String memcachedKey(String namespace, String cacheName, Object key) {
    Serializer serializer = new Serializer(RawItems.class.getClassLoader(),
        DeserializationFilters.allowlist(List.of(), List.of()));
    return new KeyCodec(namespace, cacheName).encode(serializer.serialize(key)).memcachedKey();
  }

  /** MemJCache's stored form of a Java-serialized object: the type tag, then the stream. */
  static byte[] javaSerialized(Serializable object) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(JAVA_TAG);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    }
    return bytes.toByteArray();
  }

  /** MemJCache's stored form of a String value. */
  static byte[] string(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[utf8.length + 1];
    out[0] = 1;
    System.arraycopy(utf8, 0, out, 1, utf8.length);
    return out;
  }

  /** Sets the item on the node that {@code cache} routes {@code key} to. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void plant(MemcachedCluster cluster, Cache<?, ?> cache, Object key, String memcachedKey, byte[] data)
      throws Exception {
    String node = ((MemcachedCache) cache.unwrap(MemcachedCache.class)).nodeOf(key);
    for (InetSocketAddress address : cluster.addresses()) {
      if (node.equals(address.getHostString() + ":" + address.getPort())) {
        set(address, memcachedKey, PLAIN_FLAGS, data);
        return;
      }
    }
    throw new AssertionError("no node " + node + " in " + cluster.serverList());
  }

  static void set(InetSocketAddress node, String key, int flags, byte[] data) throws Exception {
    try (Socket socket = new Socket(node.getAddress(), node.getPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("set " + key + " " + flags + " 0 " + data.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[8];
      int n = in.read(reply);
      assertEquals("STORED", new String(reply, 0, Math.max(0, n), StandardCharsets.US_ASCII).trim(), key);
    }
  }
}
