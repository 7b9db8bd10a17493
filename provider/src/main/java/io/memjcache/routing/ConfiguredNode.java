package io.memjcache.routing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A memcached node of a membership: its {@code host:port} name, which is its identity on the ring,
 * the IP to connect to when the membership's source gave one, and its position in the locator's
 * table of the moment (indexes are renumbered at every membership change).
 *
 * <p>Two nodes are the same server when their names and given IPs are equal: a name whose IP
 * changed is another server (a restarted pod), whose copies must not be trusted.
 */
public record ConfiguredNode(int index, String name, String host, int port, InetAddress ip) {

  /**
   * Parses a {@code host:port} name the way xmemcached's {@code AddrUtil} does (the port follows
   * the last colon, so {@code [::1]:11211} works).
   *
   * @param ip where to connect, or {@code null} to resolve the host
   * @throws IllegalArgumentException if the name is not {@code host:port}
   */
  public static ConfiguredNode parse(int index, String name, InetAddress ip) {
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
    String host = name.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ConfiguredNode(index, name, host, port, ip);
  }

  /** This node at another index. */
  public ConfiguredNode at(int newIndex) {
    return new ConfiguredNode(newIndex, name, host, port, ip);
  }

  /** A server's identity: its name and the IP it was given (null: its name is resolved). */
  public record Server(String name, InetAddress ip) {}

  /** This node's identity across routing tables. */
  public Server server() {
    return new Server(name, ip);
  }

  /** Whether {@code other} is the same server: same name, same given IP. */
  public boolean sameServer(ConfiguredNode other) {
    return name.equals(other.name) && Objects.equals(ip, other.ip);
  }

  /** The address to connect to: the given IP, else the host resolved now (unresolved if that fails). */
  public InetSocketAddress resolve() {
    return ip != null ? new InetSocketAddress(ip, port) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return ip == null ? name : name + "(" + ip.getHostAddress() + ")";
  }
}
