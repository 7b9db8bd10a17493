package io.memjcache.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import com.google.code.yanf4j.core.Session;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;
import net.rubyeye.xmemcached.transcoders.Transcoder;

/**
 * The baseline: raw xmemcached 2.4.9, binary protocol, raw byte[] values under the plain keys, on
 * the same nodes; or (see {@link Values}) the same String values MemJCache stores, through a
 * UTF-8 transcoder, which shows how much of a gap is the value's String codec. The client is built
 * as MemJCache builds its own (one connection per node, the same operation timeout and reactor
 * wake-up interval) but with xmemcached's default key-to-node locator.
 *
 * <p>Bulk writes come in two flavours. {@code pipelined} (target {@code xmemcached-N}): 100 quiet
 * binary sets or deletes ({@code setWithNoReply}, {@code deleteWithNoReply}: memcached answers a
 * quiet command only on failure), then one synchronous {@code get} of a barrier key homed on each
 * node, on the same connection: memcached answers in order, so the barrier's reply means every
 * quiet command sent before it was processed. Naive (target {@code xmemcached-naive-N}): 100
 * synchronous sets or deletes in a loop, one round trip each.
 */
final class XMemcachedTarget implements Target {

  static final long TIMEOUT_MILLIS = 2000;
  private static final int MAX_CAS_RETRIES = 100;

  private final MemcachedClient client;
  private final BenchData data;
  private final String freshPrefix;
  private final boolean pipelined;
  /** byte[] values (the anchor of the targets) or Strings, and their transcoder. */
  private final Transcoder<Object> transcoder;
  private final Object[] values;
  private final boolean strings;
  /** Whether a bulk write encodes all its Strings before it sends the first (see {@link Values}). */
  private final boolean encodeFirst;

  /** What the raw client stores, and in which order a bulk write encodes and sends. */
  enum Values {
    /** The benchmark's byte[] values as they are: the anchor of the targets. */
    BYTES,
    /** The Strings MemJCache stores, each encoded by xmemcached's transcoder as it is sent. */
    STRINGS,
    /**
     * The Strings again, but a bulk write encodes all of them before it sends the first: the order
     * a JCache putAll must keep, which stores nothing unless every value serializes.
     */
    STRINGS_ENCODED_FIRST
  }
  /** How the raw client picks a key's node. */
  enum Routing {
    /** xmemcached's default: the key's String hash modulo the node count (no consistent hashing). */
    MODULO,
    /**
     * xmemcached's consistent hashing (Ketama: MD5 of the key, 160 points per node), what a raw
     * user whose fleet changes membership picks; MemJCache routes by its own Murmur3 ring.
     */
    KETAMA
  }

  /** One key per node, homed there by the client's locator: the barriers of a pipelined batch. */
  private final List<String> barriers;

  XMemcachedTarget(String servers, BenchData data, boolean pipelined, Values kind) {
    this(servers, data, pipelined, kind, Routing.MODULO);
  }

  @SuppressWarnings("unchecked")
  XMemcachedTarget(String servers, BenchData data, boolean pipelined, Values kind, Routing routing) {
    this.client = connect(servers, routing);
    this.data = data;
    this.freshPrefix = "fresh-" + Long.toHexString(System.nanoTime()) + "-";
    this.pipelined = pipelined;
    this.strings = kind != Values.BYTES;
    this.encodeFirst = kind == Values.STRINGS_ENCODED_FIRST;
    this.transcoder = (Transcoder<Object>) (Transcoder<?>) (strings ? StringTranscoder.INSTANCE : BytesTranscoder.INSTANCE);
    this.values = strings ? data.values : data.valueBytes;
    this.barriers = barrierKeys(client, servers.split(",").length);
    try {
      for (String barrier : barriers) {
        Checks.isTrue(client.set(barrier, 0, data.valueBytes[0], BytesTranscoder.INSTANCE, TIMEOUT_MILLIS),
            "set of barrier key " + barrier + " refused");
      }
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> barrierKeys(MemcachedClient client, int nodes) {
    Map<InetSocketAddress, String> byNode = new LinkedHashMap<>();
    for (int n = 0; n < 10_000 && byNode.size() < nodes; n++) {
      String key = "barrier-" + n;
      byNode.putIfAbsent(sessionOf(client, key).getRemoteSocketAddress(), key);
    }
    Checks.isTrue(byNode.size() == nodes, "found barrier keys for " + byNode.size() + " of " + nodes + " nodes");
    return List.copyOf(byNode.values());
  }

  /** The session the client's locator homes {@code key} on, waiting while the client is still connecting. */
  private static Session sessionOf(MemcachedClient client, String key) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Session session = ((XMemcachedClient) client).getSessionLocator().getSessionByKey(key);
      if (session != null) {
        return session;
      }
      Checks.isTrue(System.nanoTime() < deadline, "no connected session for " + key + " after 10 s");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  static MemcachedClient connect(String servers) {
    return connect(servers, Routing.MODULO);
  }

  static MemcachedClient connect(String servers, Routing routing) {
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
    if (routing == Routing.KETAMA) {
      builder.setSessionLocator(new KetamaMemcachedSessionLocator());
    }
    // MemJCache sets the reactor's session check to 10 ms to cap xmemcached's missed-wake-up
    // stalls (1 s each); give the baseline the same, or it would be handicapped by them.
    com.google.code.yanf4j.config.Configuration reactor = XMemcachedClientBuilder.getDefaultConfiguration();
    reactor.setCheckSessionTimeoutInterval(10);
    builder.setConfiguration(reactor);
    // MemJCache asks for a 1 MiB socket send buffer: with xmemcached's 32 KiB a write longer than
    // 64 KiB waits for the server's delayed ACKs (40 ms each on Linux). The baseline gets the same.
    builder.setSocketOption(com.google.code.yanf4j.core.impl.StandardSocketOption.SO_SNDBUF, 1024 * 1024);
    try {
      return builder.build();
    } catch (IOException e) {
      throw new IllegalStateException("cannot connect xmemcached to " + servers, e);
    }
  }

  @Override
  public Object get(int i) {
    try {
      return client.get(data.keys[i], TIMEOUT_MILLIS, transcoder);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void put(int i) {
    try {
      if (!client.set(data.keys[i], 0, values[i], transcoder, TIMEOUT_MILLIS)) {
        throw new IllegalStateException("set refused");
      }
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Object getAll(int b) {
    try {
      Map<String, Object> found = client.get(data.batches.get(b), TIMEOUT_MILLIS, transcoder);
      return found;
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean putIfAbsent(long n) {
    try {
      return client.add(freshPrefix + n, 0, values[(int) (n & (BenchData.KEYS - 1))], transcoder, TIMEOUT_MILLIS);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean replace(int i) {
    String key = data.keys[i];
    Object value = values[i];
    try {
      // Retried on a CAS conflict, as MemJCache's replace is: the answer is about the value only.
      for (int attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
        GetsResponse<Object> current = client.gets(key, TIMEOUT_MILLIS, transcoder);
        if (current == null || !Objects.deepEquals(current.getValue(), value)) {
          return false;
        }
        if (client.cas(key, 0, value, transcoder, TIMEOUT_MILLIS, current.getCas())) {
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
        GetsResponse<Object> current = client.gets(key, TIMEOUT_MILLIS, transcoder);
        if (current == null) {
          return null;
        }
        Object value = current.getValue();
        Object rotated = value instanceof byte[] bytes ? BenchData.rotate(bytes) : BenchData.rotate((String) value);
        if (client.cas(key, 0, rotated, transcoder, TIMEOUT_MILLIS, current.getCas())) {
          return Checks.length(value);
        }
      }
      throw new IllegalStateException("gave up after " + MAX_CAS_RETRIES + " CAS conflicts on " + key);
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void putAll(BulkBatch batch, int variant) {
    Object[] values = strings ? batch.strings[variant] : batch.bytes[variant];
    Transcoder<Object> sending = transcoder;
    if (encodeFirst) {
      Object[] encoded = new Object[values.length];
      for (int i = 0; i < values.length; i++) {
        encoded[i] = ((String) values[i]).getBytes(StandardCharsets.UTF_8);
      }
      values = encoded;
      sending = (Transcoder<Object>) (Transcoder<?>) BytesTranscoder.INSTANCE;
    }
    try {
      for (int i = 0; i < BenchData.BATCH; i++) {
        if (pipelined) {
          client.setWithNoReply(batch.keys.get(i), 0, values[i], sending);
        } else if (!client.set(batch.keys.get(i), 0, values[i], sending, TIMEOUT_MILLIS)) {
          throw new IllegalStateException("set of " + batch.keys.get(i) + " refused");
        }
      }
      if (pipelined) {
        barrier();
      }
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void removeAll(BulkBatch batch) {
    try {
      for (String key : batch.keys) {
        if (pipelined) {
          client.deleteWithNoReply(key);
        } else if (!client.delete(key, TIMEOUT_MILLIS)) {
          throw new IllegalStateException("delete of " + key + " found nothing: the batch was not populated");
        }
      }
      if (pipelined) {
        barrier();
      }
    } catch (TimeoutException | InterruptedException | MemcachedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A synchronous get per node after the quiet commands: its reply means they were processed. */
  private void barrier() throws TimeoutException, InterruptedException, MemcachedException {
    for (String barrier : barriers) {
      Checks.value(client.get(barrier, TIMEOUT_MILLIS, BytesTranscoder.INSTANCE), data.size, "barrier get " + barrier);
    }
  }

  @Override
  public Map<String, ?> read(Collection<String> keys) {
    try {
      return client.get(keys, TIMEOUT_MILLIS, transcoder);
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
