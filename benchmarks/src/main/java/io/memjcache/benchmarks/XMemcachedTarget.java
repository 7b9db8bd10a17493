package io.memjcache.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.exception.MemcachedException;

/**
 * The baseline: raw xmemcached 2.4.9, binary protocol, raw byte[] values under the plain keys, on
 * the same nodes. The client is built as MemJCache builds its own (one connection per node, the
 * same operation timeout and reactor wake-up interval) but with xmemcached's default key-to-node
 * locator.
 */
final class XMemcachedTarget implements Target {

  static final long TIMEOUT_MILLIS = 2000;
  private static final int MAX_CAS_RETRIES = 100;

  private final MemcachedClient client;
  private final BenchData data;
  private final String freshPrefix;

  XMemcachedTarget(String servers, BenchData data) {
    this.client = connect(servers);
    this.data = data;
    this.freshPrefix = "fresh-" + Long.toHexString(System.nanoTime()) + "-";
  }

  static MemcachedClient connect(String servers) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String server : servers.split(",")) {
      String s = server.trim();
      int colon = s.lastIndexOf(':');
      addresses.add(new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
    }
    XMemcachedClientBuilder builder = new XMemcachedClientBuilder(addresses);
    builder.setCommandFactory(new BinaryCommandFactory());
    builder.setTranscoder(BytesTranscoder.INSTANCE);
    builder.setOpTimeout(TIMEOUT_MILLIS);
    builder.setConnectionPoolSize(1);
    // MemJCache sets the reactor's session check to 10 ms to cap xmemcached's missed-wake-up
    // stalls (1 s each); give the baseline the same, or it would be handicapped by them.
    com.google.code.yanf4j.config.Configuration reactor = XMemcachedClientBuilder.getDefaultConfiguration();
    reactor.setCheckSessionTimeoutInterval(10);
    builder.setConfiguration(reactor);
    try {
      return builder.build();
    } catch (IOException e) {
      throw new IllegalStateException("cannot connect xmemcached to " + servers, e);
    }
  }

  @Override
  public Object get(int i) {
    try {
      return client.get(data.keys[i], TIMEOUT_MILLIS, BytesTranscoder.INSTANCE);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void put(int i) {
    try {
      if (!client.set(data.keys[i], 0, data.valueBytes[i], BytesTranscoder.INSTANCE, TIMEOUT_MILLIS)) {
        throw new IllegalStateException("set refused");
      }
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Object getAll(int b) {
    try {
      Map<String, byte[]> found = client.get(data.batches.get(b), TIMEOUT_MILLIS, BytesTranscoder.INSTANCE);
      return found;
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean putIfAbsent(long n) {
    try {
      return client.add(freshPrefix + n, 0, data.valueBytes[(int) (n & (BenchData.KEYS - 1))],
          BytesTranscoder.INSTANCE, TIMEOUT_MILLIS);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean replace(int i) {
    String key = data.keys[i];
    byte[] value = data.valueBytes[i];
    try {
      // Retried on a CAS conflict, as MemJCache's replace is: the answer is about the value only.
      for (int attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
        GetsResponse<byte[]> current = client.gets(key, TIMEOUT_MILLIS, BytesTranscoder.INSTANCE);
        if (current == null || !Arrays.equals(current.getValue(), value)) {
          return false;
        }
        if (client.cas(key, 0, value, BytesTranscoder.INSTANCE, TIMEOUT_MILLIS, current.getCas())) {
          return true;
        }
      }
      throw new IllegalStateException("gave up after " + MAX_CAS_RETRIES + " CAS conflicts on " + key);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Object invoke(int i) {
    String key = data.keys[i];
    try {
      for (int attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
        GetsResponse<byte[]> current = client.gets(key, TIMEOUT_MILLIS, BytesTranscoder.INSTANCE);
        if (current == null) {
          return null;
        }
        byte[] value = current.getValue();
        if (client.cas(key, 0, BenchData.rotate(value), BytesTranscoder.INSTANCE, TIMEOUT_MILLIS, current.getCas())) {
          return value.length;
        }
      }
      throw new IllegalStateException("gave up after " + MAX_CAS_RETRIES + " CAS conflicts on " + key);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void populate() {
    for (int i = 0; i < BenchData.KEYS; i++) {
      put(i);
    }
  }

  @Override
  public void close() {
    try {
      client.shutdown();
    } catch (IOException e) {
      // the fork ends anyway
    }
  }
}
