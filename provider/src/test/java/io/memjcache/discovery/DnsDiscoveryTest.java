package io.memjcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.ClusterMember;
import io.memjcache.testing.SamePortNodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS discovery: a name resolving to several addresses, each a real memcached process on the same
 * port (one per loopback address, as a headless Service's pods). The name is served by the JDK's
 * hosts-file name service ({@code jdk.net.hosts.file}, read again on every lookup) in a child JVM
 * whose DNS cache is off, so the test can change what the name resolves to and watch the poller
 * follow.
 */
class DnsDiscoveryTest {

  private static final String NAME = "memcached.discovery.test";
  private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");

  @TempDir Path dir;

  @Test
  void eachAddressIsANodeNamedByItsAddress() throws IOException {
    DiscoveredCluster cluster = new DnsDiscovery("127.0.0.1", 11311).discover();
    assertEquals(DiscoveredCluster.NO_VERSION, cluster.version());
    assertEquals(List.of(new ClusterMember(new io.memjcache.config.ServerAddress("127.0.0.1", 11311, 1),
        InetAddress.getByName("127.0.0.1"))), cluster.members());
    // IPv6 addresses are named in brackets and canonical form, as configured servers are.
    DiscoveredCluster v6 = new DnsDiscovery("0:0:0:0:0:0:0:1", 11311).discover();
    assertEquals("[::1]:11311", v6.members().get(0).name());
  }

  @Test
  void thePollerFollowsTheNameAcrossChanges() throws Exception {
    long start = System.nanoTime();
    try (SamePortNodes nodes = SamePortNodes.start(HOSTS)) {
      System.out.println("DnsDiscoveryTest: 3 nodes started in " + (System.nanoTime() - start) / 1_000_000 + " ms");
      int port = nodes.port();
      Path hosts = dir.resolve("hosts");
      writeHosts(hosts, "127.0.0.1", "127.0.0.2");
      // The JVM's DNS cache off. Security properties, not -Dsun.net.inetaddr.negative.ttl: the JDK's
      // java.security sets networkaddress.cache.negative.ttl=10, which beats the system property.
      Path security = Files.writeString(dir.resolve("dns.security"),
          "networkaddress.cache.ttl=0\nnetworkaddress.cache.negative.ttl=0\n");
      Process child = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Djdk.net.hosts.file=" + hosts,
              "-Djava.security.properties=" + security,
              "-Djava.net.preferIPv4Stack=true",
              "-cp", System.getProperty("java.class.path"),
              DnsDiscoveryMain.class.getName(), NAME, Integer.toString(port), "100")
          .redirectErrorStream(true)
          .start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      List<String> transcript = Collections.synchronizedList(new ArrayList<>());
      Thread reader = new Thread(() -> readLines(child.getInputStream(), lines, transcript), "dns-child-reader");
      reader.setDaemon(true);
      reader.start();
      try {
        String initial = next(lines, "INITIAL ", transcript);
        assertEquals(expected(port, "127.0.0.1", "127.0.0.2"), initial);
        for (InetSocketAddress address : nodes.addresses().subList(0, 2)) {
          assertTrue(versionOf(address).startsWith("VERSION "), "a discovered node is a real memcached: " + address);
        }

        writeHosts(hosts, "127.0.0.1", "127.0.0.2", "127.0.0.3");
        assertEquals(expected(port, "127.0.0.1", "127.0.0.2", "127.0.0.3"), next(lines, "CHANGE ", transcript));

        writeHosts(hosts, "127.0.0.3", "127.0.0.2");
        assertEquals(expected(port, "127.0.0.2", "127.0.0.3"), next(lines, "CHANGE ", transcript));

        // The name stops resolving: the membership stays, one warning for the whole run of failures.
        Files.writeString(hosts, "127.0.0.9 some.other.name\n");
        String warning = next(lines, "", transcript, "failed, keeping the 2 current nodes");
        assertTrue(warning.contains("dns:" + NAME + ":" + port), warning);
        Thread.sleep(1000); // about ten more failed polls
        writeHosts(hosts, "127.0.0.1");
        assertEquals(expected(port, "127.0.0.1"), next(lines, "CHANGE ", transcript));
        List<String> seen = snapshot(transcript); // the reader thread still appends to it
        long warnings = seen.stream().filter(l -> l.contains("failed, keeping")).count();
        assertEquals(1, warnings, String.join("\n", snapshot(transcript)));
        assertTrue(seen.stream().anyMatch(l -> l.contains("answers again")), String.join("\n", seen));
      } finally {
        child.getOutputStream().close();
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      System.out.println("DnsDiscoveryTest child JVM:\n" + String.join("\n", snapshot(transcript)));
      assertEquals(0, child.exitValue(), String.join("\n", snapshot(transcript)));
      assertTrue(transcript.contains("BYE"), String.join("\n", snapshot(transcript)));
    }
  }

  /** A copy of a synchronized list, taken under its lock (streaming it directly races its writer). */
  private static List<String> snapshot(List<String> list) {
    synchronized (list) {
      return new ArrayList<>(list);
    }
  }

  /** Replaces the hosts file: {@link #NAME} resolves to {@code addresses}. */
  private static void writeHosts(Path hosts, String... addresses) throws IOException {
    StringBuilder text = new StringBuilder("# written by DnsDiscoveryTest\n");
    for (String address : addresses) {
      text.append(address).append(' ').append(NAME).append('\n');
    }
    Path temp = Files.writeString(hosts.resolveSibling("hosts.tmp"), text);
    Files.move(temp, hosts, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String expected(int port, String... addresses) {
    return java.util.Arrays.stream(addresses).sorted()
        .map(a -> a + ":" + port + "@" + a).collect(Collectors.joining(","));
  }

  /** The next line starting with {@code prefix} (without it), within 20 s. */
  private static String next(BlockingQueue<String> lines, String prefix, List<String> transcript) throws InterruptedException {
    return next(lines, prefix, transcript, null).substring(prefix.length());
  }

  private static String next(BlockingQueue<String> lines, String prefix, List<String> transcript, String containing)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        break;
      }
      if (line.startsWith(prefix) && (containing == null || line.contains(containing))) {
        return line;
      }
      assertTrue(!line.startsWith("CHANGE ") && !line.startsWith("INITIAL "), "unexpected " + line + " while waiting for "
          + prefix + (containing == null ? "" : containing));
    }
    throw new AssertionError("no line " + prefix + (containing == null ? "" : "..." + containing) + " within 20 s:\n"
        + String.join("\n", snapshot(transcript)));
  }

  private static void readLines(InputStream in, BlockingQueue<String> lines, List<String> transcript) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        transcript.add(line);
        lines.add(line);
      }
    } catch (IOException e) {
      // the child ended
    }
  }

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
