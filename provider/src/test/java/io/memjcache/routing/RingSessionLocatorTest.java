package io.memjcache.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.code.yanf4j.core.Session;
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
    locator.updateSessions(List.of(c, a, b));
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
    locator.updateSessions(List.of(a, b));
    ConsistentHashRing<String> ring = ring(weights);
    for (int i = 0; i < KEYS; i++) {
      assertEquals(ring.nameFor("key-" + i), locator.nodeNameFor("key-" + i));
    }
  }

  @Test
  void failoverMovesOnlyADeadNodesKeysToTheRingOfLiveNodes() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    locator.updateSessions(List.of(a, c));
    assertRoutesAsRingOf(locator, NAMES.get(0), NAMES.get(2));
  }

  @Test
  void failoverSkipsANodeWhoseSessionsClosedBeforeTheNextUpdate() {
    AtomicBoolean closed = new AtomicBoolean();
    Session closing = FakeSession.to("localhost", new byte[] {127, 0, 0, 1}, 11212, closed);
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    locator.updateSessions(List.of(a, closing, c));
    closed.set(true);
    assertRoutesAsRingOf(locator, NAMES.get(0), NAMES.get(2));
  }

  @Test
  void failoverWithNoLiveNodeHasNoSession() {
    RingSessionLocator locator = new RingSessionLocator(NAMES);
    assertNull(locator.getSessionByKey("k"));
    assertNull(locator.nodeNameFor("k"));
    AtomicBoolean closed = new AtomicBoolean(true);
    locator.updateSessions(
        List.of(FakeSession.to("localhost", new byte[] {127, 0, 0, 1}, 11211, closed)));
    assertNull(locator.getSessionByKey("k"));
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
    locator.updateSessions(pool);
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
    locator.updateSessions(List.of(stranger));
    assertNull(locator.getSessionByKey("k"));
    locator.updateSessions(List.of(stranger, a));
    for (int i = 0; i < 1000; i++) {
      assertSame(a, locator.getSessionByKey("key-" + i));
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
    locator.updateSessions(List.of(v6));
    assertSame(v6, locator.getSessionByKey("k"));
    assertEquals("[::1]:11211", locator.nodeNameFor("k"));
  }

  private void assertRoutesAsRingOf(RingSessionLocator locator, String... liveNames) {
    Map<String, Integer> live = new HashMap<>();
    for (String name : liveNames) {
      live.put(name, 1);
    }
    ConsistentHashRing<String> all = ring(EQUAL_WEIGHTS);
    ConsistentHashRing<String> liveRing = ring(live);
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      String key = "key-" + i;
      String expected = liveRing.nameFor(key);
      assertEquals(expected, locator.nodeNameFor(key));
      assertSame(sessionByName.get(expected), locator.getSessionByKey(key));
      if (!expected.equals(all.nameFor(key))) {
        assertFalse(live.containsKey(all.nameFor(key)), "a live node's key moved");
        moved++;
      }
    }
    assertTrue(moved > 0);
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
