package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.ClientSettings;
import io.memjcache.config.ClientSettings.FailureMode;
import io.memjcache.config.ClusterMember;
import io.memjcache.config.Secret;
import io.memjcache.config.ServerAddress;
import io.memjcache.routing.ConsistentHashRing;
import io.memjcache.store.Store;
import io.memjcache.store.StoreEntry;
import io.memjcache.testing.MemcachedCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Store-level semantics of a key that moves in a membership change, on four real nodes, with
 * clients that apply the change at different times: no client reads a copy older than the last
 * write, whether the copy was left on a node the key comes back to or written by a client that
 * has not applied the change yet.
 */
class MovedKeysTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(4);

  private static final String NAMESPACE = "movedkeys";

  private static List<ClusterMember> members(int count) {
    return CLUSTER.addresses().subList(0, count).stream()
        .map(address -> ClusterMember.of(new ServerAddress(address.getHostString(), address.getPort(), 1)))
        .toList();
  }

  private static XMemcachedStore connect(int nodes, Duration settle) {
    List<ServerAddress> servers = members(nodes).stream().map(ClusterMember::server).toList();
    ClientSettings settings = new ClientSettings(servers, NAMESPACE, Duration.ofSeconds(1), Duration.ofSeconds(2), 1,
        FailureMode.FAIL_FAST, List.of(), 10, false, Secret.NONE, "", Secret.NONE, settle, null, Duration.ofSeconds(10));
    return XMemcachedStore.connect(settings, System::currentTimeMillis);
  }

  /** A key whose home is the 4th node with four nodes (so it lives elsewhere with three). */
  private static String keyMovingToFourth(String label) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    members(4).forEach(member -> weights.put(member.name(), 1));
    ConsistentHashRing<String> ring = ConsistentHashRing.build(weights, Function.identity());
    String fourth = members(4).get(3).name();
    for (int i = 0; ; i++) {
      String key = NAMESPACE + ":c:" + label + i;
      if (ring.nodeFor(key).equals(fourth)) {
        return key;
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(StoreEntry entry) {
    return entry == null ? null : new String(entry.data(), StandardCharsets.UTF_8);
  }

  @Test
  void aWriteByAClientOnTheOldMembershipIsNeverHiddenByTheNewHome() {
    String key = keyMovingToFourth("lag");
    try (XMemcachedStore early = connect(3, Duration.ofSeconds(30)); XMemcachedStore late = connect(3, Duration.ofSeconds(30))) {
      late.set(key, 0, bytes("v1"), Store.NEVER);
      early.changeMembership(members(4));
      assertFalse(early.isMembershipSettled());
      assertNull(early.get(key), "the new home has no copy, the old one has: they disagree, a miss");
      assertNull(late.get(key), "and both copies are gone");
      early.set(key, 0, bytes("v2"), Store.NEVER);
      assertEquals("v2", text(early.get(key)));
      assertEquals("v2", text(late.get(key)), "the write is mirrored to the old home, where the late client reads");
      late.set(key, 0, bytes("v3"), Store.NEVER); // still on the old membership: lands on the old home only
      assertNull(early.get(key), "v2 on the new home is older than v3 on the old one: a miss, not v2");
      late.changeMembership(members(4));
      assertNull(late.get(key));
      late.set(key, 0, bytes("v4"), Store.NEVER);
      assertEquals("v4", text(early.get(key)));
      assertEquals("v4", text(late.get(key)));
    }
  }

  @Test
  void aRemoveByAClientOnTheOldMembershipIsNeverUndone() {
    String key = keyMovingToFourth("remove");
    try (XMemcachedStore early = connect(3, Duration.ofSeconds(30)); XMemcachedStore late = connect(3, Duration.ofSeconds(30))) {
      early.changeMembership(members(4));
      early.set(key, 0, bytes("v1"), Store.NEVER);
      StoreEntry seen = late.get(key);
      assertEquals("v1", text(seen));
      assertTrue(late.delete(key, seen.cas()), "the late client removes the mirrored copy");
      assertNull(early.get(key), "removed after v1 was written: v1 must not come back from the new home");
      early.set(key, 0, bytes("v2"), Store.NEVER);
      late.delete(key);
      assertNull(early.get(key), "a blind remove on the old home too");
    }
  }

  @Test
  void aCopyLeftOnANodeTheKeyReturnsToIsNeverServed() throws Exception {
    String key = keyMovingToFourth("back");
    try (XMemcachedStore store = connect(4, Duration.ZERO); XMemcachedStore other = connect(4, Duration.ZERO)) {
      store.set(key, 0, bytes("old"), Store.NEVER); // on the 4th node
      store.changeMembership(members(3));
      other.changeMembership(members(3));
      awaitSettled(store);
      awaitSettled(other);
      other.set(key, 0, bytes("new"), Store.NEVER); // on its home among three; the 4th node keeps "old"
      other.delete(key);
      store.changeMembership(members(4));
      other.changeMembership(members(4));
      assertNull(store.get(key), "the copy the key left on the 4th node predates its removal");
      assertNull(other.get(key));
      awaitSettled(store);
      awaitSettled(other);
      assertNull(store.get(key));
    }
  }

  @Test
  void aNodeThatJoinsIsCleanedBeforeAnyCallReachesIt() {
    String key = keyMovingToFourth("join");
    try (XMemcachedStore writer = connect(4, Duration.ZERO); XMemcachedStore store = connect(3, Duration.ofSeconds(30))) {
      writer.set(key, 0, bytes("ancient"), Store.NEVER); // the 4th node holds it from an earlier time
      store.changeMembership(members(4));
      try (XMemcachedStore opened = connect(4, Duration.ZERO)) {
        assertNull(opened.get(key), "a client opened on the new list after the change knows of no change: the"
            + " joining node was cleaned before the change routed to it");
      }
    }
  }

  @Test
  void settlingCleansCopiesALaggingClientLeftDisagreeing() throws Exception {
    String key = keyMovingToFourth("settle");
    try (XMemcachedStore early = connect(3, Duration.ZERO); XMemcachedStore late = connect(3, Duration.ZERO)) {
      early.changeMembership(members(4));
      early.set(key, 0, bytes("v1"), Store.NEVER); // the 4th node, mirrored to the old home
      late.set(key, 0, bytes("v2"), Store.NEVER); // the old home only: nobody reads the key meanwhile
      awaitSettled(early);
      assertNull(early.get(key), "the clean-up deleted v1, which v2 superseded on the old home");
      early.set(key, 0, bytes("fresh"), Store.NEVER);
      assertEquals("fresh", text(early.get(key)));
    }
  }

  @Test
  void conditionalWritesOfAMovedKeyNeverWinOverALaggingWrite() {
    String key = keyMovingToFourth("cas");
    try (XMemcachedStore early = connect(3, Duration.ofSeconds(30)); XMemcachedStore late = connect(3, Duration.ofSeconds(30))) {
      early.changeMembership(members(4));
      assertTrue(early.add(key, 0, bytes("a1"), Store.NEVER));
      StoreEntry read = early.get(key);
      assertEquals("a1", text(read));
      late.set(key, 0, bytes("lagging"), Store.NEVER); // old home: the condition below cannot see it
      assertTrue(early.compareAndSet(key, read.cas(), 0, bytes("a2"), Store.NEVER));
      assertNull(early.get(key), "the CAS found a newer write on the old home: neither value survives");
      assertNull(late.get(key));
      assertTrue(early.add(key, 0, bytes("a3"), Store.NEVER));
      assertEquals("a3", text(late.get(key)), "an add is mirrored too");
    }
  }

  private static void awaitSettled(XMemcachedStore store) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!store.isMembershipSettled()) {
      assertTrue(System.nanoTime() < deadline, "the membership change did not settle within 20 s");
      Thread.sleep(20);
    }
  }
}
