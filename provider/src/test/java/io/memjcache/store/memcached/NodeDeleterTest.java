package io.memjcache.store.memcached;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deleting given keys on one real node, whatever bytes they hold, in several batches. */
class NodeDeleterTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(1);

  @Test
  void deletesKeysOfAnyBytesAcrossBatchesAndToleratesMissingOnes() throws IOException {
    InetSocketAddress node = CLUSTER.addresses().get(0);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1_234; i++) {
      keys.add("ns:c:" + i);
    }
    keys.add("ns:c: spaced key\r\nwith a line break");
    keys.add("ns:c:\u00e9\u20ac\u0001\u007f");
    keys.add("ns:c:%41+"); // what metadump would url-encode
    List<String> kept = List.of("ns:d:1", "other");
    try (Socket socket = new Socket(node.getAddress(), node.getPort())) {
      socket.setSoTimeout(5_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
      OutputStream out = socket.getOutputStream();
      for (String key : concat(keys, kept)) {
        out.write(("ms " + b64(key) + " 1 b\r\nx\r\n").getBytes(US_ASCII));
        out.flush();
        assertEquals("HD", in.readLine());
      }
      List<String> withMissing = new ArrayList<>(keys);
      withMissing.add("ns:c:never-stored");
      new NodeDeleter(Duration.ofSeconds(5)).delete(node, withMissing);
      for (String key : keys) {
        out.write(("mg " + b64(key) + " b v\r\n").getBytes(US_ASCII));
        out.flush();
        assertEquals("EN", in.readLine(), key);
      }
      for (String key : kept) {
        out.write(("mg " + b64(key) + " b v\r\n").getBytes(US_ASCII));
        out.flush();
        assertEquals("VA 1", in.readLine(), key);
        assertEquals("x", in.readLine());
      }
    }
  }

  @Test
  void anUnreachableNodeIsACacheExceptionNamingIt() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", port);
    CacheException e = assertThrows(CacheException.class,
        () -> new NodeDeleter(Duration.ofSeconds(1)).delete(nowhere, List.of("k")));
    assertEquals(true, e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
  }

  private static String b64(String key) {
    return Base64.getEncoder().encodeToString(key.getBytes(UTF_8));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
