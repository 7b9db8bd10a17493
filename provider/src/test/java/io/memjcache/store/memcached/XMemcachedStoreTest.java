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

/** The store on three real nodes: what batch reads return is what writes compare against. */
class XMemcachedStoreTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

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
