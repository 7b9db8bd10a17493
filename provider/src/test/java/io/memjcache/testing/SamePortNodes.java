package io.memjcache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real memcached processes, one per loopback address, all on the same port: the nodes behind a
 * DNS name that resolves to several addresses (a Kubernetes headless Service gives every pod the
 * same port). Linux routes all of 127.0.0.0/8 to the loopback interface, so 127.0.0.2 and
 * 127.0.0.3 need no set-up. Tests only; the caller closes it.
 */
public final class SamePortNodes implements AutoCloseable {

  private static final int ATTEMPTS = 10;

  private final List<MemcachedNode> nodes;
  private final int port;

  private SamePortNodes(List<MemcachedNode> nodes, int port) {
    this.nodes = nodes;
    this.port = port;
  }

  /** Starts one node on each of {@code hosts} (IPv4 loopback literals), on one free port. */
  public static SamePortNodes start(List<String> hosts) {
    Path binary = MemcachedBinary.locate();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = freeOnAll(hosts);
      List<MemcachedNode> started = new ArrayList<>();
      try {
        for (String host : hosts) {
          started.add(MemcachedNode.startOnFreePort(binary, List.of(), Map.of(), host, () -> port));
        }
        return new SamePortNodes(List.copyOf(started), port);
      } catch (IllegalStateException e) {
        // The port was taken on one of the hosts meanwhile: all again on another port.
        started.forEach(MemcachedNode::kill);
        last = e;
      }
    }
    throw new IllegalStateException("could not start memcached on one port of " + hosts, last);
  }

  /** The port every node listens on. */
  public int port() {
    return port;
  }

  /** The nodes' addresses, in the order of the hosts given. */
  public List<InetSocketAddress> addresses() {
    return nodes.stream().map(MemcachedNode::address).toList();
  }

  @Override
  public void close() {
    nodes.forEach(MemcachedNode::kill);
  }

  private static int freeOnAll(List<String> hosts) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port;
      try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(hosts.get(0)))) {
        port = first.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException("no free port on " + hosts.get(0), e);
      }
      boolean free = true;
      for (String host : hosts.subList(1, hosts.size())) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(host))) {
          free &= probe.isBound();
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return port;
      }
    }
    throw new IllegalStateException("no port free on all of " + hosts);
  }
}
