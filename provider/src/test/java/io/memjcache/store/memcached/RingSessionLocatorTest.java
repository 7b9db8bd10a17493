package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.code.yanf4j.core.Session;
import io.memjcache.routing.ConsistentHashRing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import net.rubyeye.xmemcached.impl.ClosedMemcachedTCPSession;
import net.rubyeye.xmemcached.utils.InetSocketAddressWrapper;
import org.junit.jupiter.api.Test;

/** The locator over fake sessions: nodes configured as 127.0.0.1, sessions reporting localhost. */
class RingSessionLocatorTest {

  private static final List<String> NAMES =
      List.of("127.0.0.1:11211", "127.0.0.1:11212", "127.0.0.1:11213");
  private static final Map<String, Integer> EQUAL_WEIGHTS =
      Map.of(NAMES.get(0), 1, NAMES.get(1), 1, NAMES.get(2), 1);
  private static final int KEYS = 30_000;

  private final Session a = FakeSession.localhost(11211);
  private final Session b = FakeSession.localhost(11212);
  private final Session c = FakeSession.localhost(11213);
  private final Map<String, Session> sessionByName =
      Map.of(NAMES.get(0), a, NAMES.get(1), b, NAMES.get(2), c);

  @Test
  void routesAsTheRingOverConfiguredNamesDespiteReportedHostNames() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    connect(locator, List.of(c, a, b));
    ConsistentHashRing<String> ring = ring(EQUAL_WEIGHTS);
    for (int i = 0; i < KEYS; i++) {
      String key = "key-" + i;
      assertEquals(ring.nameFor(key), locator.nodeNameFor(key));
      assertSame(sessionByName.get(ring.nameFor(key)), locator.getSessionByKey(key));
    }
  }

  @Test
  void weightsShapeTheRing() {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put(NAMES.get(0), 3);
    weights.put(NAMES.get(1), 1);
    RingSessionLocator locator = new RingSessionLocator(weights);
    connect(locator, List.of(a, b));
    ConsistentHashRing<String> ring = ring(weights);
    for (int i = 0; i < KEYS; i++) {
      assertEquals(ring.nameFor("key-" + i), locator.nodeNameFor("key-" + i));
    }
  }

  @Test
  void failoverMovesOnlyADeadNodesKeysToTheRingOfLiveNodes() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    connect(locator, List.of(a, c));
    assertRoutesAsRingOf(locator, NAMES.get(0), NAMES.get(2));
  }

  @Test
  void failoverSkipsANodeWhoseSessionsClosedBeforeTheNextUpdate() {
    AtomicBoolean closed = new AtomicBoolean();
    Session closing = FakeSession.to("localhost", new byte[] {127, 0, 0, 1}, 11212, closed);
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    connect(locator, List.of(a, closing, c));
    closed.set(true);
    assertRoutesAsRingOf(locator, NAMES.get(0), NAMES.get(2));
  }

  @Test
  void failoverWithNoLiveNodeFailsUntaggedKeysAndHasNoStandIn() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    assertClosedSessionOf(11211, locator.getSessionByKey(keyOn(NAMES.get(0))));
    assertNull(locator.getSessionByKey(keyOn(NAMES.get(0)) + "!tag"));
    assertNull(locator.nodeNameFor("k"));
    AtomicBoolean closed = new AtomicBoolean(true);
    connect(locator, List.of(FakeSession.to("localhost", new byte[] {127, 0, 0, 1}, 11211, closed)));
    assertNull(locator.getSessionByKey("k!tag"));
  }

  @Test
  void untaggedKeysReachOnlyTheirHomeAndOnlyOnceItIsAdmittedForItsCurrentConnection() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    locator.updateSessions(List.of(a, b, c));
    String onB = keyOn(NAMES.get(1));
    assertClosedSessionOf(11212, locator.getSessionByKey(onB));
    assertEquals(NAMES.get(1), locator.homeNodeIfNotAdmitted(onB));
    long epoch = locator.openEpoch(NAMES.get(1));
    assertTrue(locator.admit(NAMES.get(1), epoch));
    assertNull(locator.homeNodeIfNotAdmitted(onB));
    assertSame(b, locator.getSessionByKey(onB));

    // b drops and comes back on a new connection: not admitted until cleaned again.
    locator.updateSessions(List.of(a, c));
    assertEquals(-1, locator.openEpoch(NAMES.get(1)));
    assertClosedSessionOf(11212, locator.getSessionByKey(onB));
    Session bAgain = FakeSession.localhost(11212);
    locator.updateSessions(List.of(a, bAgain, c));
    assertClosedSessionOf(11212, locator.getSessionByKey(onB));
    assertFalse(locator.admit(NAMES.get(1), epoch), "an admission of the old connection does not count");
    assertTrue(locator.admit(NAMES.get(1), locator.openEpoch(NAMES.get(1))));
    assertSame(bAgain, locator.getSessionByKey(onB));

    // Even without an update in between, a new connection in place of the admitted one is a new epoch.
    Session bThird = FakeSession.localhost(11212);
    locator.updateSessions(List.of(a, bThird, c));
    assertClosedSessionOf(11212, locator.getSessionByKey(onB));
  }

  @Test
  void anUntaggedKeyWhoseHomeClosedAfterItsWireKeyWasChosenFailsInsteadOfLandingOnAStandIn() {
    AtomicBoolean closed = new AtomicBoolean();
    Session closing = FakeSession.to("localhost", new byte[] {127, 0, 0, 1}, 11212, closed);
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    connect(locator, List.of(a, closing, c));
    String onB = keyOn(NAMES.get(1));
    assertSame(closing, locator.getSessionByKey(onB));
    closed.set(true); // xmemcached has not called updateSessions yet
    assertClosedSessionOf(11212, locator.getSessionByKey(onB));
    assertNotEquals(NAMES.get(1), locator.nodeNameFor(onB + "!tag"));
  }

  @Test
  void taggedKeysNeverReachTheirHome() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    connect(locator, List.of(a, b, c));
    ConsistentHashRing<String> all = ring(EQUAL_WEIGHTS);
    for (int i = 0; i < KEYS; i++) {
      String home = all.nameFor("key-" + i);
      Session session = locator.getSessionByKey("key-" + i + "!t");
      assertNotSame(sessionByName.get(home), session);
      assertFalse(session.isClosed());
    }
  }

  @Test
  void controlKeysReachTheirHomeBeforeItIsAdmitted() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    locator.updateSessions(List.of(a, b, c));
    ConsistentHashRing<String> all = ring(EQUAL_WEIGHTS);
    for (int i = 0; i < 100; i++) {
      String marker = RingSessionLocator.CONTROL_PREFIX + i;
      assertSame(sessionByName.get(all.nameFor(marker)), locator.getSessionByKey(marker));
      String cacheKey = RingSessionLocator.CONTROL_PREFIX + "namespace:cache:" + i; // not a marker
      assertTrue(locator.getSessionByKey(cacheKey).isClosed(), "a cache key waits for admission");
    }
  }

  @Test
  void failureModeKeepsADeadNodesKeysAndFailsThemFast() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    locator.setFailureMode(true);
    locator.updateSessions(List.of(a, c));
    ConsistentHashRing<String> ring = ring(EQUAL_WEIGHTS);
    int deadKeys = 0;
    for (int i = 0; i < KEYS; i++) {
      String key = "key-" + i;
      String node = ring.nameFor(key);
      assertEquals(node, locator.nodeNameFor(key));
      Session session = locator.getSessionByKey(key);
      if (node.equals(NAMES.get(1))) {
        deadKeys++;
        assertTrue(session instanceof ClosedMemcachedTCPSession, "a stand-in closed session");
        assertTrue(session.isClosed());
        assertEquals(11212, session.getRemoteSocketAddress().getPort());
      } else {
        assertSame(sessionByName.get(node), session);
      }
    }
    assertTrue(deadKeys > 0);
  }

  @Test
  void failureModeReturnsTheClosedSessionXmemcachedKept() {
    ClosedMemcachedTCPSession kept =
        new ClosedMemcachedTCPSession(
            new InetSocketAddressWrapper(b.getRemoteSocketAddress(), 1, 1, null, false));
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    locator.setFailureMode(true);
    locator.updateSessions(List.of(a, kept, c));
    String key = keyOn(NAMES.get(1));
    assertSame(kept, locator.getSessionByKey(key));
  }

  @Test
  void poolSpreadsKeysOverANodesOpenSessionsAndKeepsEachKeyOnOne() {
    AtomicBoolean firstClosed = new AtomicBoolean();
    List<Session> pool =
        List.of(
            FakeSession.to("localhost", new byte[] {127, 0, 0, 1}, 11211, firstClosed),
            FakeSession.localhost(11211),
            FakeSession.localhost(11211));
    RingSessionLocator locator = new RingSessionLocator(List.of(NAMES.get(0)));
    connect(locator, pool);
    Map<Session, Integer> load = new HashMap<>();
    Map<String, Session> before = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "key-" + i;
      Session session = locator.getSessionByKey(key);
      assertSame(session, locator.getSessionByKey(key));
      load.merge(session, 1, Integer::sum);
      before.put(key, session);
    }
    assertEquals(3, load.size());
    load.values().forEach(n -> assertTrue(n > KEYS / 4 && n < KEYS * 5 / 12, "share " + n));

    firstClosed.set(true);
    for (Map.Entry<String, Session> entry : before.entrySet()) {
      Session now = locator.getSessionByKey(entry.getKey());
      assertNotEquals(pool.get(0), now);
      if (entry.getValue() != pool.get(0)) {
        assertSame(entry.getValue(), now, "a key on an open session moved");
      }
    }
  }

  @Test
  void ignoresSessionsToUnconfiguredServers() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    Session stranger = FakeSession.localhost(9999);
    connect(locator, List.of(stranger));
    assertNull(locator.getSessionByKey("k!t"));
    assertNull(locator.nodeNameFor("k"));
    connect(locator, List.of(stranger, a));
    ConsistentHashRing<String> all = ring(EQUAL_WEIGHTS);
    for (int i = 0; i < 1000; i++) {
      assertEquals(NAMES.get(0), locator.nodeNameFor("key-" + i));
      if (all.nameFor("key-" + i).equals(NAMES.get(0))) {
        assertSame(a, locator.getSessionByKey("key-" + i));
      } else {
        assertSame(a, locator.getSessionByKey("key-" + i + "!t"));
      }
    }
  }

  @Test
  void rejectsBadConfiguration() {
    assertRejected(List.of(), "At least one");
    assertRejected(List.of("127.0.0.1:1", "127.0.0.1:1"), "twice");
    assertRejected(List.of("127.0.0.1"), "host:port");
    assertRejected(List.of(":11211"), "host:port");
    assertRejected(List.of(" 127.0.0.1:11211"), "without spaces");
    assertRejected(List.of("127.0.0.1:x"), "Bad port");
    assertRejected(List.of("127.0.0.1:0"), "out of range");
    assertRejected(List.of("127.0.0.1:65536"), "out of range");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RingSessionLocator(Map.of("127.0.0.1:11211", 0)));
    assertTrue(e.getMessage().contains("from 1 to"), e.getMessage());
  }

  @Test
  void acceptsBracketedIpv6Names() {
    RingSessionLocator locator = new RingSessionLocator(List.of("[::1]:11211"));
    byte[] loopback = new byte[16];
    loopback[15] = 1;
    Session v6 = FakeSession.to("localhost", loopback, 11211, new AtomicBoolean());
    connect(locator, List.of(v6));
    assertSame(v6, locator.getSessionByKey("k"));
    assertEquals("[::1]:11211", locator.nodeNameFor("k"));
  }

  /**
   * Fail-over routing with {@code liveNames} connected and admitted: an untagged key goes to its
   * home if live, else fails fast on its home's closed session; a tagged key goes to the ring of
   * the live nodes other than its home; the node serving a key is the ring of the live nodes'.
   */
  private void assertRoutesAsRingOf(RingSessionLocator locator, String... liveNames) {
    Map<String, Integer> live = new HashMap<>();
    for (String name : liveNames) {
      live.put(name, 1);
    }
    ConsistentHashRing<String> all = ring(EQUAL_WEIGHTS);
    ConsistentHashRing<String> liveRing = ring(live);
    Map<String, ConsistentHashRing<String>> standInRings = new HashMap<>();
    for (String home : NAMES) {
      Map<String, Integer> others = new HashMap<>(live);
      others.remove(home);
      standInRings.put(home, ring(others));
    }
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      String key = "key-" + i;
      String home = all.nameFor(key);
      assertEquals(liveRing.nameFor(key), locator.nodeNameFor(key));
      assertSame(sessionByName.get(standInRings.get(home).nameFor(key)), locator.getSessionByKey(key + "!t"));
      if (live.containsKey(home)) {
        assertSame(sessionByName.get(home), locator.getSessionByKey(key));
      } else {
        assertClosedSessionOf(sessionByName.get(home).getRemoteSocketAddress().getPort(), locator.getSessionByKey(key));
        moved++;
      }
    }
    assertTrue(moved > 0);
  }

  /** Updates the sessions and admits every node with an open one, as the store does once clean. */
  private static void connect(RingSessionLocator locator, List<Session> sessions) {
    locator.updateSessions(sessions);
    for (String name : locator.nodeNames()) {
      long epoch = locator.openEpoch(name);
      if (epoch >= 0) {
        assertTrue(locator.admit(name, epoch));
      }
    }
  }

  private static void assertClosedSessionOf(int port, Session session) {
    assertTrue(session instanceof ClosedMemcachedTCPSession, "a closed session, not " + session);
    assertEquals(port, session.getRemoteSocketAddress().getPort());
  }

  private static String keyOn(String name) {
    ConsistentHashRing<String> ring = ring(EQUAL_WEIGHTS);
    for (int i = 0; ; i++) {
      if (ring.nameFor("key-" + i).equals(name)) {
        return "key-" + i;
      }
    }
  }

  private static void assertRejected(List<String> names, String messagePart) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new RingSessionLocator(new ArrayList<>(names)));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  private static ConsistentHashRing<String> ring(Map<String, Integer> weights) {
    return ConsistentHashRing.build(weights, Function.identity());
  }
}
