package io.memjcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.ClusterMember;
import io.memjcache.testing.MemcachedCluster;
import io.memjcache.testing.SamePortNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ElastiCache / Memorystore discovery against an in-test configuration endpoint (memcached itself
 * does not answer {@code config get cluster}) whose nodes are real memcached processes.
 */
class ElastiCacheDiscoveryTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private static List<String> nodes(int... indexes) {
    List<String> all = Arrays.asList(CLUSTER.serverList().split(","));
    List<String> chosen = new ArrayList<>();
    for (int i : indexes) {
      chosen.add(all.get(i));
    }
    return chosen;
  }

  private static ElastiCacheDiscovery discovery(ElastiCacheEndpoint endpoint, Duration timeout) {
    return new ElastiCacheDiscovery("127.0.0.1", endpoint.port(), timeout);
  }

  private static List<String> names(List<ClusterMember> members) {
    return members.stream().map(ClusterMember::name).toList();
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }

  @Test
  void readsTheVersionAndNodesAndTheNodesAreRealMemcached() throws IOException {
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.serve(7, nodes(2, 0, 1));
      DiscoveredCluster cluster = discovery(endpoint, TIMEOUT).discover();
      assertEquals(7, cluster.version());
      assertEquals(sorted(nodes(0, 1, 2)), names(cluster.members()));
      for (ClusterMember member : cluster.members()) {
        assertEquals(InetAddress.getByName("127.0.0.1"), member.ip(), member.toString());
        assertTrue(versionOf(member.socketAddress()).startsWith("VERSION "), member.toString());
      }
    }
  }

  /** The example of AWS's "Adding Auto Discovery to your client library" page, byte for byte. */
  @Test
  void parsesTheDocumentedAnswerVerbatim() throws IOException {
    String documented = "CONFIG cluster 0 136\r\n"
        + "12\n"
        + "myCluster.pc4ldq.0001.use1.cache.amazonaws.com|10.82.235.120|11211 "
        + "myCluster.pc4ldq.0002.use1.cache.amazonaws.com|10.80.249.27|11211\n\r\n"
        + "END\r\n";
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.answerRaw(documented.getBytes(StandardCharsets.US_ASCII));
      DiscoveredCluster cluster = discovery(endpoint, TIMEOUT).discover();
      assertEquals(12, cluster.version());
      assertEquals(List.of("myCluster.pc4ldq.0001.use1.cache.amazonaws.com:11211",
          "myCluster.pc4ldq.0002.use1.cache.amazonaws.com:11211"), names(cluster.members()));
      assertEquals(InetAddress.getByName("10.82.235.120"), cluster.members().get(0).ip());
      assertEquals(InetAddress.getByName("10.80.249.27"), cluster.members().get(1).ip());
    }
  }

  /** Host names are the ring names, IPs where to connect; Memorystore repeats the IP as host; an empty ip means resolve. */
  @Test
  void hostNamesNameTheNodesAndIpsReachThem() throws IOException {
    List<InetSocketAddress> real = CLUSTER.addresses();
    String line = "node-a.cache.test|127.0.0.1|" + real.get(0).getPort()
        + " 127.0.0.1|127.0.0.1|" + real.get(1).getPort()
        + " localhost||" + real.get(2).getPort();
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.serveLine(3, line);
      DiscoveredCluster cluster = discovery(endpoint, TIMEOUT).discover();
      Map<String, ClusterMember> byName = new LinkedHashMap<>();
      cluster.members().forEach(m -> byName.put(m.name(), m));
      ClusterMember named = byName.get("node-a.cache.test:" + real.get(0).getPort());
      assertEquals(InetAddress.getByName("127.0.0.1"), named.ip());
      assertTrue(versionOf(named.socketAddress()).startsWith("VERSION "), "reached by its ip, the name never resolves");
      assertEquals(InetAddress.getByName("127.0.0.1"), byName.get("127.0.0.1:" + real.get(1).getPort()).ip());
      ClusterMember resolved = byName.get("localhost:" + real.get(2).getPort());
      assertNull(resolved.ip());
      assertTrue(versionOf(resolved.socketAddress()).startsWith("VERSION "));
    }
  }

  @Test
  void anEngineBefore1414IsAskedTheOlderCommand() throws IOException {
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.serveLegacy(4, nodes(0, 1));
      DiscoveredCluster cluster = discovery(endpoint, TIMEOUT).discover();
      assertEquals(4, cluster.version());
      assertEquals(sorted(nodes(0, 1)), names(cluster.members()));
      assertEquals(2, endpoint.requests(), "config get cluster, then get AmazonElastiCache:cluster");
    }
  }

  @Test
  void aPlainMemcachedNodeIsNotAConfigurationEndpoint() {
    InetSocketAddress node = CLUSTER.addresses().get(0);
    ElastiCacheDiscovery discovery = new ElastiCacheDiscovery("127.0.0.1", node.getPort(), TIMEOUT);
    IOException e = assertThrows(IOException.class, discovery::discover);
    assertTrue(e.getMessage().contains("not a configuration endpoint"), e.getMessage());
    assertTrue(e.getMessage().contains("elasticache:127.0.0.1:" + node.getPort()), e.getMessage());
  }

  /** Garbage of every kind is an IOException with a short message; nothing of a long input is echoed at length. */
  @Test
  void garbageIsRefusedWithAShortMessage() {
    String longRun = "X".repeat(5000);
    String p = Integer.toString(CLUSTER.addresses().get(0).getPort());
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("not an answer", ascii("HELLO\r\n"));
    cases.put("server error", ascii("SERVER_ERROR out of memory\r\n"));
    cases.put("negative length", ascii("CONFIG cluster 0 -5\r\n1\nh|127.0.0.1|1\n\r\nEND\r\n"));
    cases.put("non-numeric length", ascii("CONFIG cluster 0 abc\r\n1\nh|127.0.0.1|1\n\r\nEND\r\n"));
    cases.put("length beyond the limit", ascii("CONFIG cluster 0 2000000\r\n"));
    cases.put("length shorter than the body", ascii("CONFIG cluster 0 5\r\n1\nh|127.0.0.1|" + p + "\n\r\nEND\r\n"));
    cases.put("length longer than the body", ascii("CONFIG cluster 0 30\r\n1\nh|127.0.0.1|" + p + "\n\r\nEND\r\n"));
    cases.put("negative version", answer("-1\nh|127.0.0.1|" + p + "\n"));
    cases.put("overflowing version", answer("99999999999999999999\nh|127.0.0.1|" + p + "\n"));
    cases.put("port 0", answer("1\nh|127.0.0.1|0\n"));
    cases.put("port 70000", answer("1\nh|127.0.0.1|70000\n"));
    cases.put("non-numeric port", answer("1\nh|127.0.0.1|http\n"));
    cases.put("not an ip", answer("1\nh|evil.example.com|" + p + "\n"));
    cases.put("short ipv4", answer("1\nh|10.1|" + p + "\n"));
    cases.put("bad ipv6", answer("1\nh|fe80::zz|" + p + "\n"));
    cases.put("user info in the host", answer("1\nuser:pw@h|127.0.0.1|" + p + "\n"));
    cases.put("two fields", answer("1\nh|" + p + "\n"));
    cases.put("no node", answer("1\n\n"));
    cases.put("a node twice", answer("1\nh|127.0.0.1|" + p + " h|127.0.0.2|" + p + "\n"));
    cases.put("one line", answer("1 h|127.0.0.1|" + p + "\n"));
    cases.put("three lines", answer("1\nh|127.0.0.1|" + p + "\nmore\n"));
    cases.put("binary bytes", answer("1\nh|127.0.0.1|" + p + "\u0000\n"));
    cases.put("a long host", answer("1\n" + longRun + "|127.0.0.1|" + p + "\n"));
    cases.put("a long header line", ascii(longRun + "\r\n"));
    cases.put("a header without CRLF", ascii(longRun));
    cases.put("too many nodes", answer("1\n" + manyNodes(ClusterConfigParser.MAX_NODES + 1) + "\n"));
    cases.put("missing END", ascii(new String(answer("1\nh|127.0.0.1|" + p + "\n"), StandardCharsets.US_ASCII)
        .replace("END\r\n", "")));
    cases.put("something else than END", ascii(new String(answer("1\nh|127.0.0.1|" + p + "\n"), StandardCharsets.US_ASCII)
        .replace("END\r\n", "STORED\r\n")));
    cases.put("a huge answer", ascii("CONFIG cluster 0 1048576\r\n1\n" + "h|127.0.0.1|1 ".repeat(200_000)));
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      ElastiCacheDiscovery discovery = discovery(endpoint, TIMEOUT);
      for (Map.Entry<String, byte[]> c : cases.entrySet()) {
        endpoint.answerRaw(c.getValue());
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, discovery::discover, c.getKey());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String message = e.getMessage();
        assertTrue(message.startsWith("discovery elasticache:127.0.0.1:" + endpoint.port()), c.getKey() + ": " + message);
        assertTrue(message.length() < 300, c.getKey() + ": a message of " + message.length() + " chars: " + message);
        assertFalse(message.contains("X".repeat(100)), c.getKey() + ": " + message);
        assertTrue(millis < 10_000, c.getKey() + " took " + millis + " ms");
        System.out.println("ElastiCacheDiscoveryTest " + c.getKey() + ": " + message);
      }
    }
  }

  @Test
  void aSilentEndpointFailsWithinTheTimeout() {
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.hang();
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class, discovery(endpoint, Duration.ofMillis(500))::discover);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(e instanceof SocketTimeoutException, e.toString());
      assertTrue(e.getMessage().contains("within 500 ms"), e.getMessage());
      assertTrue(millis >= 450 && millis < 5_000, "failed after " + millis + " ms");
    }
  }

  /** Each byte arrives well within the timeout, the whole answer does not: the timeout bounds the whole request. */
  @Test
  void aDrippingEndpointFailsWithinTheTimeoutAsAWhole() {
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.drip(1, nodes(0, 1, 2), Duration.ofMillis(50)); // ~100 bytes: ~5 s in all
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class, discovery(endpoint, Duration.ofSeconds(1))::discover);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(e instanceof SocketTimeoutException, e.toString());
      assertTrue(millis >= 900 && millis < 4_000, "failed after " + millis + " ms");
    }
  }

  @Test
  void anEndpointDownAtStartFailsTheFirstAnswerNamingIt() {
    ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start();
    int port = endpoint.port();
    endpoint.close();
    try (DiscoveryPoller poller = new DiscoveryPoller(
        new ElastiCacheDiscovery("127.0.0.1", port, TIMEOUT), Duration.ofSeconds(1), members -> {}, "test-discovery-down")) {
      CacheException e = assertThrows(CacheException.class, poller::initial);
      assertTrue(e.getMessage().contains("elasticache:127.0.0.1:" + port), e.getMessage());
      assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
    }
  }

  /**
   * The poller against the endpoint: a newer version is applied, an older one ignored, garbage and
   * silence keep the membership, and the timer picks up a change by itself.
   */
  @Test
  void thePollerFollowsTheEndpoint() throws InterruptedException {
    BlockingQueue<List<String>> changes = new LinkedBlockingQueue<>();
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start();
        DiscoveryPoller poller = new DiscoveryPoller(discovery(endpoint, Duration.ofMillis(500)), Duration.ofMillis(100),
            members -> changes.add(names(members)), "test-discovery-follow")) {
      endpoint.serve(5, nodes(0, 1));
      assertEquals(sorted(nodes(0, 1)), names(poller.initial()));
      assertEquals(5, poller.appliedVersion());

      endpoint.serve(6, nodes(0, 1, 2));
      poller.pollNow();
      assertEquals(sorted(nodes(0, 1, 2)), changes.poll());

      endpoint.serve(4, nodes(0)); // an endpoint lagging behind
      poller.pollNow();
      assertNull(changes.poll(), "an older version must be ignored");
      assertEquals(6, poller.appliedVersion());

      endpoint.answerRaw(ascii("GARBAGE\r\n"));
      poller.pollNow();
      endpoint.hang();
      poller.pollNow();
      assertNull(changes.poll(), "a failed answer keeps the membership");
      assertEquals(sorted(nodes(0, 1, 2)), names(poller.applied()));

      endpoint.serve(6, nodes(2, 1, 0)); // same nodes, another order: no change
      poller.pollNow();
      assertNull(changes.poll());

      poller.start();
      endpoint.serve(7, nodes(0, 2));
      List<String> next = changes.poll(10, TimeUnit.SECONDS);
      assertEquals(sorted(nodes(0, 2)), next, "the timer applies a change within the bound");
      // The poller records the version once onChange has returned: a moment after the change arrives.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (poller.appliedVersion() != 7 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(7, poller.appliedVersion());
    }
    assertNull(changes.poll(300, TimeUnit.MILLISECONDS), "no change after close");
  }

  /**
   * A node keeps its host name (its place on the ring) and moves to another ip (a replaced
   * instance): the poller hands over the same names with the new ip, where another real memcached
   * process answers.
   */
  @Test
  void aNodeWhoseIpChangesIsHandedOverAtItsNewIp() throws IOException {
    try (SamePortNodes moved = SamePortNodes.start(List.of("127.0.0.1", "127.0.0.2"));
        ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      int port = moved.port();
      BlockingQueue<List<ClusterMember>> changes = new LinkedBlockingQueue<>();
      try (DiscoveryPoller poller = new DiscoveryPoller(discovery(endpoint, TIMEOUT), Duration.ofSeconds(1), changes::add,
          "test-discovery-moved")) {
        endpoint.serveLine(1, "node-a.cache.test|127.0.0.1|" + port);
        ClusterMember before = poller.initial().get(0);
        String pidBefore = statOf(before.socketAddress(), "pid");
        endpoint.serveLine(2, "node-a.cache.test|127.0.0.2|" + port);
        poller.pollNow();
        List<ClusterMember> after = changes.remove();
        assertEquals(List.of("node-a.cache.test:" + port), names(after), "the same ring name");
        assertEquals(InetAddress.getByName("127.0.0.2"), after.get(0).ip());
        String pidAfter = statOf(after.get(0).socketAddress(), "pid");
        assertFalse(pidBefore.equals(pidAfter), "another memcached process answers at the new ip: " + pidAfter);
      }
    }
  }

  /**
   * Two pollers of one endpoint (two clients) both apply a change within one interval of it, and
   * agree on the list. Item 4 of issue 13 at the discovery level: the managers' routing follows
   * from the same list.
   */
  @Test
  void twoPollersOfOneEndpointConvergeWithinAnInterval() throws InterruptedException {
    Duration interval = Duration.ofMillis(500);
    try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
      endpoint.serve(1, nodes(0, 1));
      BlockingQueue<List<String>> first = new LinkedBlockingQueue<>();
      BlockingQueue<List<String>> second = new LinkedBlockingQueue<>();
      try (DiscoveryPoller a = new DiscoveryPoller(discovery(endpoint, TIMEOUT), interval, m -> first.add(names(m)), "test-converge-a");
          DiscoveryPoller b = new DiscoveryPoller(discovery(endpoint, TIMEOUT), interval, m -> second.add(names(m)), "test-converge-b")) {
        a.initial();
        a.start();
        Thread.sleep(200); // the two clients poll out of phase
        b.initial();
        b.start();
        for (long version = 2; version <= 4; version++) {
          List<String> next = version % 2 == 0 ? nodes(0, 1, 2) : nodes(1, 2);
          long changed = System.nanoTime();
          endpoint.serve(version, next);
          List<String> seenByA = first.poll(10, TimeUnit.SECONDS);
          long millisA = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
          List<String> seenByB = second.poll(10, TimeUnit.SECONDS);
          long millisB = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
          assertEquals(sorted(next), seenByA);
          assertEquals(seenByA, seenByB, "both clients apply the same list");
          System.out.println("ElastiCacheDiscoveryTest converge: version " + version + " applied by client a after "
              + millisA + " ms, by both after " + millisB + " ms (interval " + interval.toMillis() + " ms)");
          // One interval plus the request itself; generous slack for a shared machine.
          assertTrue(millisB < interval.toMillis() + 3_000, "converged after " + millisB + " ms");
        }
      }
    }
  }

  private static byte[] answer(String body) {
    return ascii("CONFIG cluster 0 " + body.length() + "\r\n" + body + "\r\nEND\r\n");
  }

  private static String manyNodes(int count) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < count; i++) {
      line.append(i == 0 ? "" : " ").append("n").append(i).append("|10.0.").append(i / 250).append('.')
          .append(i % 250).append("|11211");
    }
    return line.toString();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** One {@code stats} value of the memcached at {@code address}. */
  private static String statOf(InetSocketAddress address, String name) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(address, 2000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder text = new StringBuilder();
      for (int b = in.read(); b >= 0 && text.length() < 100_000; b = in.read()) {
        text.append((char) b);
        if (text.toString().endsWith("END\r\n")) {
          break;
        }
      }
      for (String line : text.toString().split("\r\n")) {
        if (line.startsWith("STAT " + name + " ")) {
          return line.substring(("STAT " + name + " ").length());
        }
      }
      throw new AssertionError("no " + name + " in stats of " + address);
    }
  }

  /** The first line a real memcached answers to {@code version}. */
  private static String versionOf(InetSocketAddress address) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(address, 2000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 200; b = in.read()) {
        line.append((char) b);
      }
      return line.toString().trim();
    }
  }
}
