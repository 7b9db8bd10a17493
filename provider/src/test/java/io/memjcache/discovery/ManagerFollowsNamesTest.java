package io.memjcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.SamePortNodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CacheManager following host names end to end, on real memcached processes that share one port
 * on several loopback addresses, in a child JVM that resolves a name from a hosts file (the DNS
 * cache off): a configured name that moves to another address is reconnected there, and moving
 * back never serves what the first address still holds; a {@code dns:} name that gains an address
 * gains a node.
 */
class ManagerFollowsNamesTest {

  private static final String NAME = "memcached.memjcache.test";

  @TempDir Path dir;

  @Test
  void aConfiguredNameThatMovesIsReconnectedAtItsNewAddress() throws Exception {
    try (SamePortNodes nodes = SamePortNodes.start(List.of("127.0.0.1", "127.0.0.2"))) {
      InetSocketAddress first = nodes.addresses().get(0);
      InetSocketAddress second = nodes.addresses().get(1);
      writeHosts("127.0.0.1");
      try (Child child = new Child("memjcache.servers=" + NAME + ":" + nodes.port())) {
        assertEquals("SERVERS " + NAME + ":" + nodes.port(), child.ask("SERVERS"));
        assertEquals("OK", child.ask("PUT k v1"));
        assertEquals("VALUE v1", child.ask("GET k"));
        long setsOnSecond = sets(second);

        writeHosts("127.0.0.2"); // the node's process is replaced by one at another address
        awaitChange(child);
        assertEquals("SERVERS " + NAME + ":" + nodes.port(), child.ask("SERVERS"), "the same node on the ring");
        assertEquals("MISS", child.ask("GET k"), "the new address holds nothing of it");
        assertEquals("OK", child.ask("PUT k v2"));
        assertTrue(sets(second) > setsOnSecond, "the manager writes to the name's new address");
        assertEquals("VALUE v2", child.ask("GET k"));

        writeHosts("127.0.0.1"); // back to the first process, which still holds v1
        awaitChange(child);
        assertEquals("MISS", child.ask("GET k"), "v1 on the first address predates v2: never served");
        long setsOnFirst = sets(first);
        assertEquals("OK", child.ask("PUT k v3"));
        assertTrue(sets(first) > setsOnFirst, "the manager writes to the first address again");
        assertEquals("VALUE v3", child.ask("GET k"));
      }
    }
  }

  /** Waits for the child's manager to apply a membership change, then for the change to settle. */
  private static void awaitChange(Child child) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (child.ask("SETTLED").equals("SETTLED true")) {
      assertTrue(System.nanoTime() < deadline, "the manager never applied the change");
      Thread.sleep(20);
    }
    while (child.ask("SETTLED").equals("SETTLED false")) {
      assertTrue(System.nanoTime() < deadline, "the change never settled");
      Thread.sleep(50);
    }
  }

  @Test
  void aDnsNameThatGainsAnAddressGainsANode() throws Exception {
    try (SamePortNodes nodes = SamePortNodes.start(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"))) {
      int port = nodes.port();
      writeHosts("127.0.0.1", "127.0.0.2");
      try (Child child = new Child("memjcache.discovery=dns:" + NAME + ":" + port)) {
        assertEquals("SERVERS 127.0.0.1:" + port + ",127.0.0.2:" + port, child.ask("SERVERS"));
        for (int i = 0; i < 60; i++) {
          assertEquals("OK", child.ask("PUT k" + i + " v" + i));
        }
        writeHosts("127.0.0.1", "127.0.0.2", "127.0.0.3");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String expected = "SERVERS 127.0.0.1:" + port + ",127.0.0.2:" + port + ",127.0.0.3:" + port;
        while (!child.ask("SERVERS").equals(expected)) {
          assertTrue(System.nanoTime() < deadline, "the third address never became a node");
          Thread.sleep(100);
        }
        int kept = 0;
        for (int i = 0; i < 60; i++) {
          String answer = child.ask("GET k" + i);
          assertTrue(answer.equals("MISS") || answer.equals("VALUE v" + i), "k" + i + ": " + answer);
          kept += answer.equals("MISS") ? 0 : 1;
        }
        assertTrue(kept > 20 && kept < 60, "about a third of the keys moved to the new node: " + kept + " kept");
        long before = sets(nodes.addresses().get(2));
        for (int i = 0; i < 60; i++) {
          assertEquals("OK", child.ask("PUT k" + i + " w" + i));
          assertEquals("VALUE w" + i, child.ask("GET k" + i));
        }
        assertTrue(sets(nodes.addresses().get(2)) > before, "the new node takes its share of the keys");
      }
    }
  }

  /** Replaces the hosts file: {@link #NAME} resolves to {@code addresses}. */
  private void writeHosts(String... addresses) throws IOException {
    StringBuilder text = new StringBuilder("# written by ManagerFollowsNamesTest\n");
    for (String address : addresses) {
      text.append(address).append(' ').append(NAME).append('\n');
    }
    Path temp = Files.writeString(dir.resolve("hosts.tmp"), text);
    Files.move(temp, dir.resolve("hosts"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** memcached's count of set commands on one node. */
  private static long sets(InetSocketAddress node) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(node, 2000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = in.readLine(); line != null && !line.equals("END"); line = in.readLine()) {
        if (line.startsWith("STAT cmd_set ")) {
          return Long.parseLong(line.substring("STAT cmd_set ".length()).trim());
        }
      }
    }
    throw new IOException("no cmd_set in the stats of " + node);
  }

  /** The child JVM running {@link ManagerChildMain}. */
  private final class Child implements AutoCloseable {
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = new ArrayList<>();

    Child(String membershipSetting) throws Exception {
      Path security = Files.writeString(dir.resolve("dns.security"),
          "networkaddress.cache.ttl=0\nnetworkaddress.cache.negative.ttl=0\n");
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Djdk.net.hosts.file=" + dir.resolve("hosts"),
          "-Djava.security.properties=" + security,
          "-Djava.net.preferIPv4Stack=true",
          "-cp", System.getProperty("java.class.path"),
          ManagerChildMain.class.getName(),
          membershipSetting,
          "memjcache.namespace=follow" + System.nanoTime(),
          "memjcache.discovery.interval=200ms",
          "memjcache.membership.settle=1s",
          "memjcache.operationTimeoutMillis=1000",
          "memjcache.connectTimeoutMillis=2000"));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            synchronized (transcript) {
              transcript.add(line);
            }
            if (!line.contains(" INFO ") && !line.contains(" WARN ") && !line.contains(" DEBUG ")) {
              lines.add(line);
            }
          }
        } catch (IOException e) {
          lines.add("EOF " + e);
        }
      }, "manager-child-reader");
      reader.setDaemon(true);
      reader.start();
      assertEquals("READY", next());
    }

    /** Sends a command and returns its answer line. */
    String ask(String command) throws InterruptedException {
      in.println(command);
      return next();
    }

    private String next() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line != null && (line.equals("READY") || line.equals("OK") || line.equals("MISS") || line.equals("BYE")
            || line.startsWith("VALUE ") || line.startsWith("SERVERS ") || line.startsWith("SETTLED ")
            || line.startsWith("TIMEOUT"))) {
          return line;
        }
        if (line != null && line.startsWith("ERROR ")) {
          synchronized (transcript) {
            return line + "\n" + String.join("\n", transcript); // shows in the failed assertion
          }
        }
      }
      synchronized (transcript) {
        throw new AssertionError("no answer from the child JVM within 20 s:\n" + String.join("\n", transcript));
      }
    }

    @Override
    public void close() throws Exception {
      in.close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
