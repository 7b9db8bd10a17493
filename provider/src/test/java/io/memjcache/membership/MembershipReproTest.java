package io.memjcache.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.testing.MemcachedCluster;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reproduction, phrased with {@code setServers}: a key that moves to another node and
 * back (or a node that leaves and returns) finds an old copy on its home; that copy must never be
 * served, neither right after the change nor once it has settled, nor to a manager opened later.
 */
class MembershipReproTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final MutableConfiguration<String, String> STRINGS =
      new MutableConfiguration<String, String>().setTypes(String.class, String.class);

  private static String twoNodes() {
    return Membership.servers(CLUSTER, 0, 1);
  }

  private static String threeNodes() {
    return Membership.servers(CLUSTER, 0, 1, 2);
  }

  private static String third() {
    return Membership.servers(CLUSTER, 2);
  }

  /** A key of cache "c" whose home is the third node when all three are listed. */
  private static String keyHomedOnThird(String namespace) {
    try (MemcachedCacheManager probe = Membership.manager(threeNodes(), namespace)) {
      Cache<String, String> cache = probe.createCache("c", STRINGS);
      for (int i = 0; i < 10_000; i++) {
        if (Membership.routing(cache).nodeOf("k" + i).equals(third())) {
          return "k" + i;
        }
      }
    }
    throw new AssertionError("no key of 10,000 homed on " + third());
  }

  private static void setServers(String servers, MemcachedCacheManager... managers) {
    for (MemcachedCacheManager manager : managers) {
      manager.setServers(servers);
      assertEquals(Set.of(servers.split(",")), Set.of(manager.getServers().split(",")), "getServers after setServers");
    }
  }

  private static void awaitSettled(MemcachedCacheManager... managers) throws InterruptedException {
    assertTrue(Membership.awaitSettled(Membership.SETTLE_TIMEOUT_MILLIS, managers),
        "membership not settled within " + Membership.SETTLE_TIMEOUT_MILLIS + " ms");
  }

  /** [1,2] put v1; both go to [1,2,3]; v2 is put (on node 3); both go back to [1,2] where v1 still is. */
  @Test
  void aKeyBackOnItsOldHomeNeverServesTheCopyLeftThere() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(twoNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(twoNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      a.put(k, "v1");
      assertEquals("v1", b.get(k));

      setServers(threeNodes(), first, second);
      awaitSettled(first, second);
      assertEquals(third(), Membership.routing(a).nodeOf(k), "the key moves to the added node");
      a.put(k, "v2");
      assertEquals("v2", b.get(k), "a write after the change settled is read by the other manager");

      setServers(twoNodes(), first, second);
      assertNotEquals("v1", a.get(k), "the writer read the copy left on the old home, right after the change back");
      assertNotEquals("v1", b.get(k), "the other manager read the copy left on the old home, right after the change back");
      awaitSettled(first, second);
      assertNotEquals("v1", a.get(k), "the writer read the copy left on the old home once the change settled");
      assertNotEquals("v1", b.get(k), "the other manager read the copy left on the old home once the change settled");
      try (MemcachedCacheManager later = Membership.manager(twoNodes(), namespace)) {
        assertNotEquals("v1", later.createCache("c", STRINGS).get(k), "a manager opened later on [1,2] read the old copy");
      }
    }
  }

  /** As above, but the key is removed while it lives on node 3: back on [1,2] it must read as absent. */
  @Test
  void aKeyRemovedWhileAwayStaysRemovedOnItsOldHome() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(twoNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(twoNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      a.put(k, "v1");

      setServers(threeNodes(), first, second);
      awaitSettled(first, second);
      assertEquals(third(), Membership.routing(b).nodeOf(k), "the key moves to the added node");
      a.put(k, "v2");
      assertTrue(b.remove(k), "the other manager removes the value written after the move");

      setServers(twoNodes(), first, second);
      assertNull(a.get(k), "a key removed on [1,2,3] came back from its old home, right after the change back");
      assertNull(b.get(k), "the remover read the old copy, right after the change back");
      awaitSettled(first, second);
      assertNull(a.get(k), "a key removed on [1,2,3] came back from its old home once the change settled");
    }
  }

  /** The change back comes before the first one settled: the old copy must still not be served. */
  @Test
  void aQuickChangeBackBeforeSettlingNeverServesTheOldCopy() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(twoNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(twoNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      a.put(k, "v1");

      setServers(threeNodes(), first, second);
      assertEquals(third(), Membership.routing(b).nodeOf(k), "the key moves to the added node");
      b.put(k, "v2");
      setServers(twoNodes(), first, second);
      assertNotEquals("v1", a.get(k), "the old copy was served after a quick add and remove");
      assertNotEquals("v1", b.get(k), "the writer of v2 read the old copy after a quick add and remove");
      awaitSettled(first, second);
      assertNotEquals("v1", a.get(k), "the old copy was served once the quick changes settled");
      assertNotEquals("v1", b.get(k), "the writer of v2 read the old copy once the quick changes settled");
    }
  }

  /** Add-remove-add: node 3 leaves with v1, v2 is written elsewhere, node 3 returns still holding v1. */
  @Test
  void aNodeThatReturnsNeverServesItsOldCopies() throws Exception {
    String namespace = Membership.uniqueNamespace();
    try (MemcachedCacheManager first = Membership.manager(threeNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(threeNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      String changed = keyHomedOnThird(namespace);
      String removed = null;
      for (int i = 0; removed == null && i < 10_000; i++) {
        removed = Membership.routing(a).nodeOf("r" + i).equals(third()) ? "r" + i : null;
      }
      assertTrue(removed != null, "no second key homed on the third node");
      a.put(changed, "v1");
      a.put(removed, "v1");

      setServers(twoNodes(), first, second);
      awaitSettled(first, second);
      assertNotEquals(third(), Membership.routing(a).nodeOf(changed), "the key leaves the removed node");
      a.put(changed, "v2");
      a.put(removed, "v2");
      assertTrue(b.remove(removed), "the other manager removes the value written while node 3 is out");
      assertEquals("v2", b.get(changed), "a write while node 3 is out is read by the other manager");

      setServers(threeNodes(), first, second);
      assertNotEquals("v1", a.get(changed), "node 3 served its old copy right after it returned");
      assertNotEquals("v1", b.get(changed), "node 3 served its old copy to the other manager right after it returned");
      assertNull(a.get(removed), "a key removed while node 3 was out came back with it");
      awaitSettled(first, second);
      assertNotEquals("v1", a.get(changed), "node 3 served its old copy once its return settled");
      assertNotEquals("v1", b.get(changed), "node 3 served its old copy to the other manager once its return settled");
      assertNull(b.get(removed), "a key removed while node 3 was out came back once its return settled");
    }
  }

  /**
   * As the first test, but nobody touches the key until the change back has settled: no first
   * touch cleans it, so the clean-up at settling must have deleted the copy left on its old home.
   */
  @Test
  void aKeyUntouchedUntilTheChangeBackSettledNeverServesTheCopyLeftThere() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(twoNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(twoNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      a.put(k, "v1");

      setServers(threeNodes(), first, second);
      awaitSettled(first, second);
      a.put(k, "v2");

      setServers(twoNodes(), first, second);
      awaitSettled(first, second);
      assertNotEquals("v1", b.get(k), "the copy left on the old home was served once the change back settled");
      assertNotEquals("v1", a.get(k), "the writer read the copy left on the old home once the change back settled");
    }
  }

  /**
   * Add-remove-add where nobody touches the key while node 3 returns: once the return settled,
   * node 3's old copy must be gone.
   */
  @Test
  void aNodeThatReturnsNeverServesOldCopiesOfKeysUntouchedUntilItSettled() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(threeNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(threeNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      a.put(k, "v1");

      setServers(twoNodes(), first, second);
      awaitSettled(first, second);
      a.put(k, "v2");

      setServers(threeNodes(), first, second);
      awaitSettled(first, second);
      assertNotEquals("v1", b.get(k), "node 3 served its old copy once its return settled");
      assertNotEquals("v1", a.get(k), "node 3 served its old copy to the writer once its return settled");
    }
  }

  /**
   * Add-remove-add, and a manager opened on the new list while the return settles (a JVM started
   * with the new configuration): it must not be served node 3's old copy either.
   */
  @Test
  void aManagerOpenedWhileANodeReturnsNeverServesItsOldCopies() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(threeNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(threeNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      a.put(k, "v1");

      setServers(twoNodes(), first, second);
      awaitSettled(first, second);
      a.put(k, "v2");

      setServers(threeNodes(), first, second);
      try (MemcachedCacheManager started = Membership.manager(threeNodes(), namespace)) {
        Cache<String, String> c = started.createCache("c", STRINGS);
        assertNotEquals("v1", c.get(k), "a manager opened on [1,2,3] while node 3 returned read its old copy");
        awaitSettled(first, second);
        assertNotEquals("v1", c.get(k), "a manager opened on [1,2,3] while node 3 returned read its old copy after it settled");
      }
    }
  }

  /**
   * The window: the first manager has applied [1,2,3], the second applies it a moment later
   * (well within the settle time). A value the first wrote on node 3 and the second then removed
   * (on the key's former home, where it still routes) must read as removed, through both.
   */
  @Test
  void aRemoveByAManagerNotYetChangedIsNotLost() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String k = keyHomedOnThird(namespace);
    try (MemcachedCacheManager first = Membership.manager(twoNodes(), namespace);
        MemcachedCacheManager second = Membership.manager(twoNodes(), namespace)) {
      Cache<String, String> a = first.createCache("c", STRINGS);
      Cache<String, String> b = second.createCache("c", STRINGS);
      a.put(k, "v1");

      setServers(threeNodes(), first);
      a.put(k, "v2");
      assertEquals(third(), Membership.routing(a).nodeOf(k), "the key moves to the added node");
      assertNotEquals(third(), Membership.routing(b).nodeOf(k), "the second manager still routes by [1,2]");
      b.remove(k);
      assertNull(a.get(k), "the value removed by the manager still on [1,2] was read by the manager on [1,2,3]");
      setServers(threeNodes(), second);
      assertNull(b.get(k), "the value removed before the second manager changed came back after its change");
      awaitSettled(first, second);
      assertNull(a.get(k), "the removed value came back once the change settled");
    }
  }
}
