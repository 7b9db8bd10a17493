package io.memjcache.store.memcached;

import io.memjcache.routing.ConfiguredNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Finds which configured node a session is connected to, by IP address and port. Names cannot be
 * compared: a node configured as {@code 127.0.0.1} is reported by its session as {@code localhost}.
 *
 * <p>Not thread-safe: the locator calls it under its update lock.
 */
final class NodeAddresses {

  private final List<ConfiguredNode> nodes;
  private InetSocketAddress[] resolved;

  NodeAddresses(List<ConfiguredNode> nodes) {
    this.nodes = List.copyOf(nodes);
    this.resolved = resolveAll();
  }

  /**
   * Returns the configured node at {@code remote}, or {@code null} if there is none. Names are
   * resolved again once on a miss, since a host name may have moved to another address.
   */
  ConfiguredNode nodeAt(InetSocketAddress remote) {
    ConfiguredNode node = find(remote);
    if (node == null) {
      resolved = resolveAll();
      node = find(remote);
    }
    return node;
  }

  /** The address last resolved for {@code node}. */
  InetSocketAddress addressOf(ConfiguredNode node) {
    return resolved[node.index()];
  }

  /** All configured nodes, indexed by {@link ConfiguredNode#index()}. */
  List<ConfiguredNode> nodes() {
    return nodes;
  }

  private ConfiguredNode find(InetSocketAddress remote) {
    for (ConfiguredNode node : nodes) {
      if (sameEndpoint(resolved[node.index()], remote)) {
        return node;
      }
    }
    return null;
  }

  private InetSocketAddress[] resolveAll() {
    return nodes.stream().map(ConfiguredNode::resolve).toArray(InetSocketAddress[]::new);
  }

  /** Same port and same IP; host strings are compared only where an address is unresolved. */
  static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
    if (a.getPort() != b.getPort()) {
      return false;
    }
    InetAddress ipA = a.getAddress();
    InetAddress ipB = b.getAddress();
    return ipA != null && ipB != null
        ? ipA.equals(ipB)
        : a.getHostString().equalsIgnoreCase(b.getHostString());
  }
}
