package io.memjcache.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * One memcached node of a membership: its identity on the hash ring ({@link ServerAddress#name()}
 * and weight) and, when the source of the membership knows it, the IP address to connect to. The
 * ElastiCache configuration endpoint reports both a host name and an IP per node; a configured or
 * DNS-discovered node has no separate IP and its host is resolved when connecting.
 *
 * @param server the node's ring identity and weight
 * @param ip where to connect, or {@code null} to resolve {@code server}'s host
 */
public record ClusterMember(ServerAddress server, InetAddress ip) {

  public ClusterMember {
    Objects.requireNonNull(server, "server");
    if (ip != null) {
      // Without the host name it was resolved from: xmemcached resolves a named address again
      // when it connects, which would turn every address of a DNS name into the first one.
      try {
        ip = InetAddress.getByAddress(ip.getAddress());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address: " + ip, e);
      }
    }
  }

  /** A member reached by resolving its own host name. */
  public static ClusterMember of(ServerAddress server) {
    return new ClusterMember(server, null);
  }

  /** The ring name, {@code host:port}. */
  public String name() {
    return server.name();
  }

  /** The address to connect to now (resolving the host name when no IP is known). */
  public InetSocketAddress socketAddress() {
    return ip != null ? new InetSocketAddress(ip, server.port()) : server.toSocketAddress();
  }

  @Override
  public String toString() {
    return ip == null ? server.toString() : server + "(" + ip.getHostAddress() + ")";
  }
}
