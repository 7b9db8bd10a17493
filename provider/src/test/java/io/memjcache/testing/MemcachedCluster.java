package io.memjcache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real memcached processes on 127.0.0.1 and free ports, for tests.
 *
 * <p>In a JUnit 5 test class:
 *
 * <pre>{@code
 * @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);
 * // ... MEMCACHED.serverList() -> "127.0.0.1:40411,127.0.0.1:40413,127.0.0.1:35007"
 * }</pre>
 *
 * The nodes start before the first test of the class (nested classes share them) and stop after
 * its last. Elsewhere (the TCK runner, demos) {@code try (var c = MemcachedCluster.start(3)) {...}}
 * starts at once, and {@code nodes(n).withItemSizeMax("2m").start()} configures first.
 *
 * <p>The binary is taken from env {@code MEMCACHED_BIN}, else the PATH, else /usr/bin/memcached.
 * Each node runs {@code memcached -l 127.0.0.1 -p PORT -U 0 -t 1 -m 64} (plus {@code -u nobody}
 * as root, plus extra flags) and counts as started once it answers {@code version} and reports its
 * own pid. Processes are killed by {@link #close()}, by a shutdown hook and, should the JVM be
 * killed outright, by a watchdog process. Ports are random, so parallel JVMs do not collide.
 */
public final class MemcachedCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  private final int size;
  private final List<String> extraArgs = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private String host = MemcachedNode.HOST;
  private List<MemcachedNode> nodes = List.of();
  private String ownerContextId;

  private MemcachedCluster(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node, not " + size);
    }
    this.size = size;
  }

  /** A cluster of {@code n} nodes, not started: for {@code @RegisterExtension static} fields. */
  public static MemcachedCluster nodes(int n) {
    return new MemcachedCluster(n);
  }

  /** Starts {@code n} nodes now; the caller closes the cluster. */
  public static MemcachedCluster start(int n) {
    return nodes(n).start();
  }

  /** Starts the nodes of a cluster made with {@link #nodes(int)} and configured. */
  public synchronized MemcachedCluster start() {
    if (!nodes.isEmpty()) {
      throw new IllegalStateException("already started: " + serverList());
    }
    Path binary = MemcachedBinary.locate();
    List<String> args = List.copyOf(extraArgs);
    Map<String, String> environment = Map.copyOf(env);
    List<MemcachedNode> started = new ArrayList<>(size);
    try {
      for (int i = 0; i < size; i++) {
        started.add(MemcachedNode.startOnFreePort(binary, args, environment, host));
      }
    } catch (RuntimeException e) {
      started.forEach(MemcachedNode::kill);
      throw e;
    }
    nodes = List.copyOf(started);
    return this;
  }

  /** Raises the item size limit ({@code -I}), e.g. {@code "2m"}. Before the nodes start. */
  public MemcachedCluster withItemSizeMax(String size) {
    return withArgs("-I", size);
  }

  /** Extra memcached command-line flags, e.g. {@code withArgs("-C")}. Before the nodes start. */
  public synchronized MemcachedCluster withArgs(String... args) {
    requireNotStarted();
    extraArgs.addAll(Arrays.asList(args));
    return this;
  }

  /**
   * The loopback address the nodes listen on, e.g. {@code "::1"} for IPv6 ({@link #serverList()}
   * then gives {@code [::1]:port}). Default 127.0.0.1. Before the nodes start.
   */
  public synchronized MemcachedCluster onHost(String loopback) {
    requireNotStarted();
    host = loopback;
    return this;
  }

  /** An environment variable for the memcached processes (e.g. SASL_CONF_PATH). */
  public synchronized MemcachedCluster withEnv(String name, String value) {
    requireNotStarted();
    env.put(name, value);
    return this;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (nodes.isEmpty()) {
      start();
      ownerContextId = context.getUniqueId();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(ownerContextId)) {
      close();
    }
  }

  /** The nodes' addresses, in start order; a killed node keeps its address. */
  public synchronized List<InetSocketAddress> addresses() {
    return started().stream().map(MemcachedNode::address).collect(Collectors.toList());
  }

  /** {@code "127.0.0.1:p1,127.0.0.1:p2,..."}, in start order. */
  public synchronized String serverList() {
    return started().stream()
        .map(MemcachedNode::serverName)
        .collect(Collectors.joining(","));
  }

  public int size() {
    return size;
  }

  /** {@code flush_all} on every running node (a killed node is skipped). Tests only. */
  public synchronized void flushAll() {
    for (MemcachedNode node : started()) {
      if (!node.isRunning()) {
        continue;
      }
      try {
        String reply = TextClient.request(node.address(), "flush_all", 5000);
        if (!reply.equals("OK\r\n")) {
          throw new IllegalStateException("flush_all on " + node.address() + " answered " + reply);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("flush_all on " + node.address() + " failed", e);
      }
    }
  }

  /**
   * Items stored on node {@code index} ({@code curr_items} from {@code stats}). Flushed or expired
   * items are reclaimed lazily, so they may still count for a while after {@link #flushAll()}.
   */
  public synchronized long itemCount(int index) {
    return stat(index, "curr_items");
  }

  /** One numeric {@code stats} value of node {@code index}, e.g. {@code curr_connections}. */
  public synchronized long stat(int index, String name) {
    MemcachedNode node = node(index);
    String prefix = "STAT " + name + " ";
    try {
      String stats = TextClient.request(node.address(), "stats", 5000);
      for (String line : stats.split("\r\n")) {
        if (line.startsWith(prefix)) {
          return Long.parseLong(line.substring(prefix.length()).trim());
        }
      }
      throw new IllegalStateException("no " + name + " in stats of " + node.address() + ": " + stats);
    } catch (IOException e) {
      throw new UncheckedIOException("stats on " + node.address() + " failed", e);
    }
  }


  /** Kills node {@code index} (0-based, start order) with SIGKILL and waits until it is gone. */
  public synchronized void kill(int index) {
    node(index).kill();
  }

  /** Starts node {@code index} again, on the same port, empty; waits until it answers. */
  public synchronized void restart(int index) {
    node(index).restart();
  }

  /** Whether node {@code index} is running (false after {@link #kill(int)}). */
  public synchronized boolean isRunning(int index) {
    return node(index).isRunning();
  }

  /** Stops every node. Idempotent; a cluster made with {@link #nodes(int)} may start again. */
  @Override
  public synchronized void close() {
    nodes.forEach(MemcachedNode::kill);
    nodes = List.of();
    ownerContextId = null;
  }

  @Override
  public synchronized String toString() {
    return "MemcachedCluster[" + (nodes.isEmpty() ? size + " nodes, not running" : serverList()) + "]";
  }

  private MemcachedNode node(int index) {
    List<MemcachedNode> all = started();
    if (index < 0 || index >= all.size()) {
      throw new IndexOutOfBoundsException("node " + index + " of " + all.size());
    }
    return all.get(index);
  }

  private List<MemcachedNode> started() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException(
          "memcached cluster not started: register it with @RegisterExtension on a static field,"
              + " or call start()");
    }
    return nodes;
  }

  private void requireNotStarted() {
    if (!nodes.isEmpty()) {
      throw new IllegalStateException("configure the cluster before it starts");
    }
  }
}
