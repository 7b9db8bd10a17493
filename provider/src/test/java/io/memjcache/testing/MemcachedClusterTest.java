package io.memjcache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MemcachedClusterTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  @AfterEach
  void restartKilledNodes() {
    for (int i = 0; i < CLUSTER.size(); i++) {
      if (!CLUSTER.isRunning(i)) {
        CLUSTER.restart(i);
      }
    }
  }

  @Test
  void threeNodesOnDistinctLoopbackPortsListedInStartOrder() {
    List<InetSocketAddress> addresses = CLUSTER.addresses();
    assertEquals(3, CLUSTER.size());
    assertEquals(3, addresses.size());
    assertEquals(3, new HashSet<>(addresses).size());
    String expected =
        addresses.stream()
            .map(a -> "127.0.0.1:" + a.getPort())
            .collect(Collectors.joining(","));
    assertEquals(expected, CLUSTER.serverList());
    addresses.forEach(a -> assertEquals("127.0.0.1", a.getHostString()));
  }

  @Test
  void everyNodeAnswersVersionAndStoresValues() throws IOException {
    for (InetSocketAddress node : CLUSTER.addresses()) {
      assertTrue(call(node, "version").startsWith("VERSION 1."));
      assertEquals("STORED\r\n", call(node, "set greeting 0 0 5\r\nhello"));
      assertEquals("VALUE greeting 0 5\r\nhello\r\nEND\r\n", call(node, "get greeting"));
    }
  }

  @Test
  void flushAllEmptiesEveryNode() throws IOException {
    for (InetSocketAddress node : CLUSTER.addresses()) {
      assertEquals("STORED\r\n", call(node, "set k 0 0 1\r\nv"));
    }
    CLUSTER.flushAll();
    for (InetSocketAddress node : CLUSTER.addresses()) {
      assertEquals("END\r\n", call(node, "get k"));
    }
  }

  @Test
  void killStopsOneNodeAndRestartBringsItBackEmptyOnTheSamePort() throws IOException {
    List<InetSocketAddress> before = CLUSTER.addresses();
    for (InetSocketAddress node : before) {
      assertEquals("STORED\r\n", call(node, "set survivor 0 0 1\r\nx"));
    }

    CLUSTER.kill(1);
    assertFalse(CLUSTER.isRunning(1));
    assertThrows(ConnectException.class, () -> call(before.get(1), "version"));
    CLUSTER.flushAll(); // skips the dead node
    CLUSTER.kill(1); // idempotent

    CLUSTER.restart(1);
    assertTrue(CLUSTER.isRunning(1));
    assertEquals(before, CLUSTER.addresses());
    assertTrue(call(before.get(1), "version").startsWith("VERSION "));
    assertEquals("END\r\n", call(before.get(1), "get survivor"));
    assertThrows(IllegalStateException.class, () -> CLUSTER.restart(1));
  }

  @Test
  void startNowWithItemSizeMaxThenCloseTwice() throws IOException {
    MemcachedCluster cluster = MemcachedCluster.nodes(1).withItemSizeMax("2m").start();
    InetSocketAddress node = cluster.addresses().get(0);
    try {
      assertTrue(call(node, "stats settings").contains("STAT item_size_max 2097152\r\n"));
      assertEquals(0, cluster.itemCount(0));
      assertEquals("STORED\r\n", call(node, "set one 0 0 1\r\n1"));
      assertEquals(1, cluster.itemCount(0));
      assertThrows(IllegalStateException.class, () -> cluster.withArgs("-C"));
    } finally {
      cluster.close();
    }
    cluster.close();
    assertThrows(ConnectException.class, () -> call(node, "version"));
    assertThrows(IllegalStateException.class, cluster::serverList);
  }

  @Test
  void staticStartGivesARunningCluster() throws IOException {
    try (MemcachedCluster cluster = MemcachedCluster.start(2)) {
      assertEquals(2, cluster.addresses().size());
      for (InetSocketAddress node : cluster.addresses()) {
        assertTrue(call(node, "version").startsWith("VERSION "));
      }
    }
  }

  @Test
  void aPortTakenBetweenProbeAndBindIsReplacedByAnother() throws IOException {
    try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int taken = squatter.getLocalPort();
      Iterator<Integer> ports = List.of(taken, freePort()).iterator();
      MemcachedNode node =
          MemcachedNode.startOnFreePort(MemcachedBinary.locate(), List.of(), Map.of(), ports::next);
      try {
        assertNotEquals(taken, node.port());
        assertTrue(call(node.address(), "version").startsWith("VERSION "));
      } finally {
        node.kill();
      }
    }
  }

  @Test
  void missingBinaryFailsLoudlyWithTheInstallCommand() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> MemcachedBinary.locate(n -> n.equals("MEMCACHED_BIN") ? "/nonexistent/mc" : null));
    assertTrue(e.getMessage().contains("apt-get install -y memcached"), e.getMessage());
  }

  @Test
  void zeroNodesIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> MemcachedCluster.nodes(0));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static String call(InetSocketAddress node, String command) throws IOException {
    return TextClient.request(node, command, 2000);
  }
}
