package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.ClientSettings;
import io.memjcache.config.ClientSettings.FailureMode;
import io.memjcache.config.Secret;
import io.memjcache.config.ServerAddress;
import io.memjcache.store.Store;
import io.memjcache.store.StoreEntry;
import io.memjcache.testing.MemcachedCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store on three real nodes: what batch reads return, and what writes compare against. */
class XMemcachedStoreTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3).withItemSizeMax("2m");

  private static XMemcachedStore connect() {
    List<ServerAddress> servers = Arrays.stream(CLUSTER.serverList().split(",")).map(ServerAddress::parse).toList();
    ClientSettings settings = new ClientSettings(
        servers, "storetest", Duration.ofSeconds(2), Duration.ofSeconds(2), 1, FailureMode.FAIL_FAST, List.of(), 10, false, Secret.NONE, "", Secret.NONE, Duration.ofSeconds(10), null, Duration.ofSeconds(10));
    return XMemcachedStore.connect(settings, System::currentTimeMillis);
  }

  @Test
  void batchReadsCarryEachEntrysCasToken() {
    try (XMemcachedStore store = connect()) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String key = "storetest:cas:" + i;
        keys.add(key);
        store.set(key, 7, ("v" + i).getBytes(StandardCharsets.UTF_8), Store.NEVER);
      }
      Map<String, StoreEntry> batch = store.getAll(keys);
      assertEquals(30, batch.size());
      for (String key : keys) {
        StoreEntry single = store.get(key);
        StoreEntry batched = batch.get(key);
        assertNotEquals(0, batched.cas(), key);
        assertEquals(single.cas(), batched.cas(), key);
        assertEquals(7, batched.flags());
        assertArrayEquals(single.data(), batched.data());
      }
      String first = keys.get(0);
      long token = batch.get(first).cas();
      assertTrue(store.compareAndSet(first, token, 7, new byte[] {1}, Store.NEVER));
      assertFalse(store.compareAndSet(first, token, 7, new byte[] {2}, Store.NEVER), "a spent token must not write");
      assertFalse(store.delete(keys.get(1), batch.get(keys.get(1)).cas() + 1), "a wrong token must not delete");
    }
  }

  /**
   * A batch read returns every hit, whatever its size (empty to 1.5 MB, so replies span many
   * socket reads and batches), with the flags and CAS token a single read sees, and nothing for
   * the keys that hold nothing.
   */
  @Test
  void batchReadsReturnEveryHitOfEverySizeAndNothingForMisses() {
    int[] sizes = {0, 1, 100, 10_240, 300_000, 1, 7, 1_500_000, 64, 4096, 0, 99_999};
    try (XMemcachedStore store = connect()) {
      List<String> keys = new ArrayList<>();
      Map<String, byte[]> written = new java.util.HashMap<>();
      java.util.Random random = new java.util.Random(11);
      for (int i = 0; i < 150; i++) {
        String key = "storetest:sizes:" + i;
        keys.add(key);
        if (i % 3 != 2) {
          byte[] value = new byte[sizes[i % sizes.length]];
          random.nextBytes(value);
          store.set(key, i, value, Store.NEVER);
          written.put(key, value);
        }
      }
      Map<String, StoreEntry> batch = store.getAll(keys);
      assertEquals(written.keySet(), batch.keySet());
      for (String key : written.keySet()) {
        StoreEntry single = store.get(key);
        StoreEntry batched = batch.get(key);
        assertArrayEquals(written.get(key), batched.data(), key);
        assertEquals(single.flags(), batched.flags(), key);
        assertEquals(single.cas(), batched.cas(), key);
      }
    }
  }

  /**
   * A batch read costs each node one reply per hit, without the key (memcached's quiet get), and
   * a closing reply: for 30 hits of 10 bytes among 60 keys, 30 x (24 + 4 + 10) + 3 x 24 bytes.
   * (A multi-get that has the keys echoed, as xmemcached's does, costs the key's length more per
   * hit.)
   */
  @Test
  void aBatchReadCostsEachNodeOneReplyPerHitWithoutTheKeyAndOneToCloseIt() {
    try (XMemcachedStore store = connect()) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String key = "storetest:replies:" + i;
        keys.add(key);
        if (i % 2 == 0) {
          store.set(key, 0, "0123456789".getBytes(StandardCharsets.UTF_8), Store.NEVER);
        }
      }
      long[] before = new long[CLUSTER.size()];
      long[] statsReply = new long[CLUSTER.size()];
      for (int i = 0; i < CLUSTER.size(); i++) {
        long first = CLUSTER.stat(i, "bytes_written");
        before[i] = CLUSTER.stat(i, "bytes_written");
        statsReply[i] = before[i] - first;
      }
      assertEquals(30, store.getAll(keys).size());
      long replies = 0;
      for (int i = 0; i < CLUSTER.size(); i++) {
        replies += CLUSTER.stat(i, "bytes_written") - before[i] - statsReply[i];
      }
      assertEquals(30 * (24 + 4 + 10) + CLUSTER.size() * 24, replies, "bytes of replies to a getAll of 60 keys, 30 of them hits");
    }
  }

  /**
   * Batches written one after the other reuse the same direct buffers (one per node, as a write
   * sends the nodes' batches together): each comes back once its batch is
   * written and answered. (A batch that kept its buffer would make the store create a new one per
   * batch up to the pool's bound, then fall back to a fresh heap buffer per batch.)
   */
  @Test
  void consecutiveBatchesReuseTheirBuffers() {
    try (XMemcachedStore store = connect()) {
      for (int round = 0; round < 3 * BatchBuffers.MAX_BUFFERS; round++) {
        List<Store.Write> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          writes.add(new Store.Write("storetest:reuse:" + i, 7, ("r" + round + "-" + i).getBytes(StandardCharsets.UTF_8), Store.NEVER));
        }
        assertTrue(store.setAll(writes).failed().isEmpty(), "round " + round);
      }
      assertArrayEquals("r23-5".getBytes(StandardCharsets.UTF_8), store.get("storetest:reuse:5").data());
      int created = store.batchBuffersCreated();
      assertTrue(created >= 1 && created <= CLUSTER.size(), created + " direct buffers created for " + 3 * BatchBuffers.MAX_BUFFERS
          + " rounds of batches to " + CLUSTER.size() + " nodes");
    }
  }
}
