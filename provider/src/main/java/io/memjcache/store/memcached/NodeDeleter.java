package io.memjcache.store.memcached;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.cache.CacheException;

/**
 * Deletes keys on one given memcached node, whatever the ring says: for copies that sit where no
 * client looks for them (an earlier server list or weights, an old outage's stand-in), which
 * xmemcached cannot reach since it sends each key where its locator routes it.
 *
 * <p>It speaks the meta protocol over a plain socket, the same text port the key listing uses:
 * {@code md <base64 key> b q} per key (base64, so a key may hold any bytes the key codec
 * produces; quiet, so only misses and errors answer), then {@code mn}, which memcached answers
 * after everything before it. Keys go in batches so that neither side's buffers fill up.
 */
final class NodeDeleter {

  private static final int BATCH = 500;

  private final int timeoutMillis;

  NodeDeleter(Duration timeout) {
    this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  /**
   * Deletes {@code keys} on {@code node}; a key already gone is fine.
   *
   * @throws CacheException naming the node when it cannot be reached or refuses a delete
   */
  void delete(InetSocketAddress node, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    String name = node.getHostString() + ":" + node.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(node, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
      Base64.Encoder base64 = Base64.getEncoder();
      for (int from = 0; from < keys.size(); from += BATCH) {
        for (String key : keys.subList(from, Math.min(keys.size(), from + BATCH))) {
          out.write(("md " + base64.encodeToString(key.getBytes(UTF_8)) + " b q\r\n").getBytes(US_ASCII));
        }
        out.write("mn\r\n".getBytes(US_ASCII));
        out.flush();
        awaitEnd(name, in);
      }
    } catch (IOException e) {
      throw new CacheException("cannot delete keys on memcached node " + name + ": " + e, e);
    }
  }

  private static void awaitEnd(String node, BufferedReader in) throws IOException {
    for (String line = in.readLine(); !"MN".equals(line); line = in.readLine()) {
      if (line == null) {
        throw new CacheException("memcached node " + node + " closed the connection while deleting keys");
      }
      if (!line.startsWith("NF") && !line.startsWith("HD")) {
        throw new CacheException("memcached node " + node + " refused a delete: "
            + (line.length() > 200 ? line.substring(0, 200) : line));
      }
    }
  }
}
