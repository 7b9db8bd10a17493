package io.memjcache.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.transcoders.CachedData;

/**
 * What one memcached node holds, item by item, as the server sees it: the average key length (from
 * {@code lru_crawler metadump all}), the average stored value length and the share of items with
 * non-zero client flags (read back with raw xmemcached).
 */
record Layout(int items, double keyBytes, double valueBytes, double flagged, String exampleKey) {

  static Layout read(String node) throws Exception {
    List<String> keys = metadumpKeys(node);
    long keyBytes = 0;
    long valueBytes = 0;
    long flagged = 0;
    int found = 0;
    MemcachedClient client = XMemcachedTarget.connect(node);
    try {
      for (int from = 0; from < keys.size(); from += 1000) {
        List<String> batch = keys.subList(from, Math.min(keys.size(), from + 1000));
        Map<String, CachedData> values = client.get(batch, XMemcachedTarget.TIMEOUT_MILLIS, Items.INSTANCE);
        for (Map.Entry<String, CachedData> e : values.entrySet()) {
          found++;
          keyBytes += e.getKey().getBytes(StandardCharsets.UTF_8).length;
          valueBytes += e.getValue().getData().length;
          if (e.getValue().getFlag() != 0) {
            flagged++;
          }
        }
      }
    } finally {
      client.shutdown();
    }
    if (found == 0) {
      throw new IllegalStateException("node " + node + " holds no readable item");
    }
    return new Layout(found, (double) keyBytes / found, (double) valueBytes / found, (double) flagged / found,
        keys.get(0));
  }

  /** Every key on the node, by the text protocol's {@code lru_crawler metadump all}. */
  private static List<String> metadumpKeys(String node) throws IOException, InterruptedException {
    int colon = node.lastIndexOf(':');
    for (int attempt = 0; attempt < 50; attempt++) {
      List<String> keys = new ArrayList<>();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))), 5000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write("lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        boolean busy = false;
        while ((line = in.readLine()) != null) {
          if (line.equals("END")) {
            break;
          }
          if (line.startsWith("BUSY")) {
            busy = true;
            break;
          }
          if (line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR") || line.startsWith("SERVER_ERROR")) {
            throw new IOException("lru_crawler metadump on " + node + ": " + line);
          }
          if (line.startsWith("key=")) {
            int end = line.indexOf(' ');
            keys.add(URLDecoder.decode(line.substring(4, end < 0 ? line.length() : end), StandardCharsets.UTF_8));
          }
        }
        if (!busy) {
          return keys;
        }
      }
      Thread.sleep(100);
    }
    throw new IOException("lru_crawler on " + node + " stayed busy");
  }

  /** Hands out what memcached returned, flags included. */
  private static final class Items extends NoOptionsTranscoder<CachedData> {
    static final Items INSTANCE = new Items();

    @Override
    public CachedData encode(CachedData data) {
      return data;
    }

    @Override
    public CachedData decode(CachedData data) {
      return data;
    }
  }
}
