package io.memjcache.routing;

import java.net.InetSocketAddress;

/**
 * A memcached node as configured: its {@code host:port} name, which is its identity on the ring,
 * and its position in the configuration.
 */
record ConfiguredNode(int index, String name, String host, int port) {

  /**
   * Parses a {@code host:port} name the way xmemcached's {@code AddrUtil} does (the port follows
   * the last colon, so {@code [::1]:11211} works).
   *
   * @throws IllegalArgumentException if the name is not {@code host:port}
   */
  static ConfiguredNode parse(int index, String name) {
    if (name == null || name.isBlank() || !name.equals(name.strip())) {
      // A stray space would give this client a different ring from its peers.
      throw new IllegalArgumentException(
          "Node name must be host:port without spaces, got '" + name + "'");
    }
    int colon = name.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("Node name must be host:port, got '" + name + "'");
    }
    int port;
    try {
      port = Integer.parseInt(name.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Bad port in node name '" + name + "'", e);
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("Port out of range in node name '" + name + "'");
    }
    return new ConfiguredNode(index, name, name.substring(0, colon), port);
  }

  /** Resolves the host now; the address comes back unresolved if the lookup fails. */
  InetSocketAddress resolve() {
    return new InetSocketAddress(host, port);
  }
}
