package io.memjcache.store.memcached;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.IntStream;
import javax.cache.CacheException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyListerTest {

  @RegisterExtension
  static MemcachedCluster cluster = MemcachedCluster.nodes(2);

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private InetSocketAddress node0;
  private InetSocketAddress node1;
  private KeyLister lister;

  @BeforeEach
  void setUp() {
    cluster.flushAll();
    node0 = cluster.addresses().get(0);
    node1 = cluster.addresses().get(1);
    lister = new KeyLister(cluster.addresses(), TIMEOUT);
  }

  @Test
  void listsOnlyKeysWithThePrefixFromEveryNode() {
    set(node0, List.of("ns:users:1", "ns:users:2", "ns:userz:3", "other:users:4", "ns:users"), 0);
    set(node1, List.of("ns:users:5", "xns:users:6", "ns:users:7"), 0);

    assertEquals(Set.of("ns:users:1", "ns:users:2", "ns:users:5", "ns:users:7"),
        Set.copyOf(lister.keysWithPrefix("ns:users:")));
    assertEquals(Set.of("ns:users:1", "ns:users:2"),
        Set.copyOf(lister.keysWithPrefix(node0, "ns:users:")));
    assertEquals(Set.of("ns:users:5", "ns:users:7"),
        Set.copyOf(lister.keysWithPrefix(node1, "ns:users:")));
    assertEquals(List.of(), lister.keysWithPrefix("nothing:"));
  }

  @Test
  void aKeyOnTwoNodesIsListedOnce() {
    set(node0, List.of("ns:c:stale"), 0);
    set(node1, List.of("ns:c:stale"), 0);

    assertEquals(List.of("ns:c:stale"), lister.keysWithPrefix("ns:c:"));
  }

  @Test
  void decodesPercentEncodedAndLongKeys() {
    String longKey = "ns:c:" + "%#~".repeat(81) + "x.";
    assertEquals(250, longKey.getBytes(UTF_8).length);
    List<String> keys = List.of(
        "ns:c:AZaz09._~-:%#", "ns:c:%41", "ns:c:%", "ns:c:a+b", "ns:c:%2B", "ns:c:%20",
        "ns:c:caf\u00e9\u20ac", longKey, "ns:c:" + "a".repeat(245));
    set(node0, keys.subList(0, 5), 0);
    set(node1, keys.subList(5, keys.size()), 0);

    assertEquals(Set.copyOf(keys), Set.copyOf(lister.keysWithPrefix("ns:c:")));
  }

  @Test
  void memcachedPercentEncodesEveryReservedByteIncludingPlus() throws IOException {
    // Pins what KeyLister's decoder relies on, as memcached 1.6.18 writes it.
    set(node0, List.of("a+b:c%d#\u00e9"), 0);

    assertEquals("key=a%2Bb%3Ac%25d%23%C3%A9", rawDump(node0).get(0).split(" ")[0]);
  }

  @Test
  void decodesExactlyWhatMemcachedEncodes() {
    String line = "key=sp%20ace%2Bplus+%E2%82%AC%01 exp=-1 la=1 cas=4 fetch=no cls=1 size=69";
    assertEquals("sp ace+plus+\u20ac\u0001", MetadumpLine.key(line));
    assertEquals(MetadumpLine.NEVER, MetadumpLine.exp(line));
    assertEquals(1795680863L, MetadumpLine.exp("key=k exp=1795680863 la=1"));
    assertEquals("100%G1%4%", MetadumpLine.key("key=100%G1%4% exp=-1"));
    assertEquals("plain", MetadumpLine.key("key=plain"));
    assertNull(MetadumpLine.key("key=bad%FFutf8 exp=-1"));
  }

  @Test
  void lists20000Keys() {
    List<String> keys = IntStream.range(0, 20_000).mapToObj(i -> "ns:big:key-" + i).toList();
    set(node0, keys.subList(0, 10_000), 0);
    set(node1, keys.subList(10_000, 20_000), 0);
    set(node0, IntStream.range(0, 500).mapToObj(i -> "ns:bog:key-" + i).toList(), 0);

    lister.keysWithPrefix("ns:big:"); // warm-up, so the timing below is not class loading
    long start = System.nanoTime();
    List<String> listed = lister.keysWithPrefix("ns:big:");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("Listed 20,000 of 20,500 keys on 2 nodes in " + millis + " ms");

    assertEquals(20_000, listed.size());
    assertEquals(Set.copyOf(keys), Set.copyOf(listed));
  }

  @Test
  void listsAKeyRightAfterItIsWritten() throws IOException {
    try (Socket socket = connect(node0)) {
      OutputStream out = socket.getOutputStream();
      BufferedReader in = reader(socket);
      for (int i = 0; i < 100; i++) {
        String key = "ns:fresh:" + i;
        out.write(("set " + key + " 0 0 1\r\nx\r\n").getBytes(UTF_8));
        assertEquals("STORED", in.readLine());
        assertEquals(List.of(key), lister.keysWithPrefix(node0, key), "listing #" + i);
      }
    }
  }

  @Test
  void retriesWhileAnotherDumpHoldsTheCrawler() throws Exception {
    List<String> keys = IntStream.range(0, 3000).mapToObj(i -> "ns:busy:" + i).toList();
    set(node0, keys, 0);
    withSlowCrawler(node0, 15_000, () -> { // a hash dump then takes about 1 s
      CompletableFuture<List<String>> other = startDump(node0);
      awaitBusy(node0);

      assertEquals(Set.copyOf(keys), Set.copyOf(lister.keysWithPrefix(node0, "ns:busy:")));
      assertTrue(other.isDone(), "the listing waited for the other dump");
      assertEquals(3000, other.join().size());
    });
  }

  @Test
  void givesUpOnACrawlerBusyBeyondTheBound() throws Exception {
    set(node0, IntStream.range(0, 100).mapToObj(i -> "ns:busy:" + i).toList(), 0);
    KeyLister impatient = new KeyLister(
        cluster.addresses(), TIMEOUT, Duration.ofMillis(200), Clock.systemUTC());
    withSlowCrawler(node0, 20_000, () -> { // a hash dump then takes about 1.3 s
      CompletableFuture<List<String>> other = startDump(node0);
      awaitBusy(node0);

      CacheException e = assertThrows(CacheException.class,
          () -> impatient.keysWithPrefix("ns:busy:"));
      assertTrue(e.getMessage().contains(name(node0)) && e.getMessage().contains("BUSY"),
          e.getMessage());
      other.join();
    });
  }

  @Test
  void namesAnUnreachableNode() throws IOException {
    InetSocketAddress dead = freePort();

    CacheException e = assertThrows(CacheException.class,
        () -> lister.keysWithPrefix(dead, "ns:"));
    assertTrue(e.getMessage().contains(name(dead)), e.getMessage());

    List<InetSocketAddress> nodes = new ArrayList<>(cluster.addresses());
    nodes.add(dead);
    e = assertThrows(CacheException.class,
        () -> new KeyLister(nodes, TIMEOUT).keysWithPrefix("ns:"));
    assertTrue(e.getMessage().contains(name(dead)), e.getMessage());
  }

  @Test
  void namesASilentNodeWithinTheTimeout() throws IOException {
    // Bound but never accepting: the kernel completes the handshake, then nothing is ever read.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      InetSocketAddress node = (InetSocketAddress) silent.getLocalSocketAddress();
      KeyLister quick = new KeyLister(List.of(node), Duration.ofMillis(300));

      CacheException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
          () -> assertThrows(CacheException.class, () -> quick.keysWithPrefix("ns:")));
      assertTrue(e.getMessage().contains(name(node)), e.getMessage());
    }
  }

  @Test
  void skipsExpiredItems() throws Exception {
    set(node0, List.of("ns:exp:short"), 1);
    set(node0, List.of("ns:exp:long"), 100);
    set(node1, List.of("ns:exp:never"), 0);
    assertTrue(rawDump(node1).get(0).contains(" exp=-1 "), "exptime 0 is listed as exp=-1");
    Thread.sleep(2100); // memcached's clock ticks once a second

    assertEquals(Set.of("ns:exp:long", "ns:exp:never"), Set.copyOf(lister.keysWithPrefix("ns:")));

    // Our own check, for items the server has not dropped yet: seen from 200 s later.
    Clock later = Clock.fixed(Instant.now().plusSeconds(200), ZoneOffset.UTC);
    assertEquals(List.of("ns:exp:never"),
        new KeyLister(cluster.addresses(), TIMEOUT, Duration.ofSeconds(5), later)
            .keysWithPrefix("ns:"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-X", "-o no_lru_crawler"})
  void reportsANodeWhoseCrawlerIsDisabled(String flags) {
    try (MemcachedCluster disabled = MemcachedCluster.nodes(1).withArgs(flags.split(" ")).start()) {
      InetSocketAddress node = disabled.addresses().get(0);
      List<InetSocketAddress> nodes = List.of(node0, node);

      KeyListingUnsupportedException e = assertThrows(KeyListingUnsupportedException.class,
          () -> new KeyLister(nodes, TIMEOUT).keysWithPrefix("ns:"));
      assertTrue(e.getMessage().contains(name(node))
          && e.getMessage().contains("lru_crawler metadump on the text protocol"), e.getMessage());
    }
  }

  /** A server without lru_crawler answers ERROR; a SASL (-S) port hangs up on a text command. */
  @ParameterizedTest
  @ValueSource(strings = {"ERROR", "<close>"})
  void reportsANodeThatCannotListKeys(String reply) throws IOException {
    try (FakeNode fake = new FakeNode(command -> reply.equals("<close>") ? null : reply + "\r\n")) {
      KeyListingUnsupportedException e = assertThrows(KeyListingUnsupportedException.class,
          () -> new KeyLister(List.of(fake.address()), TIMEOUT).keysWithPrefix("ns:"));
      assertTrue(e.getMessage().contains(name(fake.address()))
          && e.getMessage().contains("lru_crawler metadump on the text protocol"), e.getMessage());
    }
  }

  @Test
  void fallsBackToLruModeOnAServerWithoutHashMode() throws IOException {
    try (FakeNode fake = new FakeNode(command -> command.endsWith(" hash")
        ? "BADCLASS invalid class id\r\n"
        : "key=ns%3Aa exp=-1 la=1 cas=1 fetch=no cls=1 size=60\nkey=zz exp=-1\nEND\r\n")) {
      assertEquals(List.of("ns:a"), new KeyLister(List.of(fake.address()), TIMEOUT)
          .keysWithPrefix("ns:"));
    }
  }

  @Test
  void refusesAPartialListing() throws IOException {
    try (FakeNode fake = new FakeNode(command -> "key=ns%3Aa exp=-1\nSERVER_ERROR oops\r\n")) {
      CacheException e = assertThrows(CacheException.class,
          () -> new KeyLister(List.of(fake.address()), TIMEOUT).keysWithPrefix("ns:"));
      assertTrue(e.getMessage().contains("SERVER_ERROR oops"), e.getMessage());
    }
  }

  // ---- helpers ----

  /** Text-protocol sets, pipelined with noreply and closed by a meta no-op to wait for them. */
  private static void set(InetSocketAddress node, Collection<String> keys, int ttl) {
    try (Socket socket = connect(node)) {
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      for (String key : keys) {
        out.write(("set " + key + " 0 " + ttl + " 1 noreply\r\nx\r\n").getBytes(UTF_8));
      }
      out.write("mn\r\n".getBytes(UTF_8));
      out.flush();
      assertEquals("MN", reader(socket).readLine());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every item line of one hash dump, read without KeyLister. */
  private static List<String> rawDump(InetSocketAddress node) throws IOException {
    try (Socket socket = connect(node)) {
      socket.getOutputStream().write("lru_crawler metadump hash\r\n".getBytes(UTF_8));
      return itemLines(reader(socket));
    }
  }

  private static List<String> itemLines(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); !"END".equals(line); line = in.readLine()) {
      assertTrue(line != null && line.startsWith("key="), line);
      lines.add(line);
    }
    return lines;
  }

  private static String command(InetSocketAddress node, String command) throws IOException {
    try (Socket socket = connect(node)) {
      socket.getOutputStream().write((command + "\r\n").getBytes(UTF_8));
      return reader(socket).readLine();
    }
  }

  /** Starts a dump on its own connection; the future yields its item lines. */
  private static CompletableFuture<List<String>> startDump(InetSocketAddress node)
      throws IOException {
    Socket socket = connect(node);
    socket.getOutputStream().write("lru_crawler metadump hash\r\n".getBytes(UTF_8));
    return CompletableFuture.supplyAsync(() -> {
      try (socket) {
        return itemLines(reader(socket));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Waits until the node's crawler runs, then checks that a second dump is refused. */
  private static void awaitBusy(InetSocketAddress node) throws Exception {
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (!stats(node).contains("STAT lru_crawler_running 1")) {
      assertTrue(System.nanoTime() < deadline, "the crawler never started");
      Thread.sleep(5);
    }
    assertEquals("BUSY currently processing crawler request",
        command(node, "lru_crawler metadump hash"));
  }

  private static List<String> stats(InetSocketAddress node) throws IOException {
    try (Socket socket = connect(node)) {
      socket.getOutputStream().write("stats\r\n".getBytes(UTF_8));
      BufferedReader in = reader(socket);
      List<String> lines = new ArrayList<>();
      for (String line = in.readLine(); !"END".equals(line); line = in.readLine()) {
        lines.add(line);
      }
      return lines;
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  /** Slows the server's crawler so that one dump stays in progress long enough to collide. */
  private static void withSlowCrawler(InetSocketAddress node, int sleepMicros, Body body)
      throws Exception {
    assertEquals("OK", command(node, "lru_crawler sleep " + sleepMicros));
    try {
      body.run();
    } finally {
      assertEquals("OK", command(node, "lru_crawler sleep 100")); // memcached's default
    }
  }

  private static Socket connect(InetSocketAddress node) throws IOException {
    Socket socket = new Socket();
    socket.connect(node, 2000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
  }

  private static InetSocketAddress freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return (InetSocketAddress) socket.getLocalSocketAddress();
    }
  }

  private static String name(InetSocketAddress node) {
    return node.getHostString() + ":" + node.getPort();
  }

  /** A one-connection server answering each command line with a scripted reply (null: hang up). */
  private static final class FakeNode implements AutoCloseable {
    private final ServerSocket server;

    FakeNode(Function<String, String> replies) throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      Thread thread = new Thread(() -> {
        try (Socket socket = server.accept()) {
          BufferedReader in = reader(socket);
          for (String command = in.readLine(); command != null; command = in.readLine()) {
            String reply = replies.apply(command);
            if (reply == null) {
              return;
            }
            socket.getOutputStream().write(reply.getBytes(ISO_8859_1));
          }
        } catch (IOException ignored) {
          // the test is over
        }
      }, "fake-memcached");
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
      server.close(); // the serving thread is a daemon and ends with its socket
    }
  }
}
