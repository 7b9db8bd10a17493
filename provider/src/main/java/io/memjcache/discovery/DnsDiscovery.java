package io.memjcache.discovery;

import io.memjcache.config.ClusterMember;
import io.memjcache.config.ServerAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Membership from a DNS name that resolves to one address per node, such as a Kubernetes headless
 * Service. Every address {@code A} is the node {@code A:port}: its ring name is the address (an
 * IPv6 one in brackets and canonical form, as {@link ServerAddress} writes it) and it is connected
 * at {@code A}. A node whose address changes is therefore a node leaving and another joining.
 *
 * <p>Lookups go through {@link InetAddress}, so the JVM's DNS cache applies: a successful answer
 * is reused for {@code networkaddress.cache.ttl} seconds (a security property; 30 s by default
 * without a security manager, {@code sun.net.inetaddr.ttl} as a system property), so a change is
 * seen up to that long after it happened; a failed lookup is reused for {@code
 * networkaddress.cache.negative.ttl} (10 s by default). A lookup is bounded by the system resolver's own timeout,
 * not by a MemJCache setting.
 */
public final class DnsDiscovery implements ClusterDiscovery {

  private final String host;
  private final int port;

  /**
   * @param host the name to resolve
   * @param port the memcached port of every node
   */
  public DnsDiscovery(String host, int port) {
    // Validates the name and port as a server address does.
    this.host = new ServerAddress(Objects.requireNonNull(host, "host"), port, 1).host();
    this.port = port;
  }

  @Override
  public DiscoveredCluster discover() throws IOException {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new UnknownHostException("discovery " + this + ": " + host + " does not resolve");
    }
    Map<String, ClusterMember> members = new LinkedHashMap<>();
    for (InetAddress address : addresses) {
      ServerAddress server = address instanceof Inet6Address
          ? ServerAddress.parse("[" + address.getHostAddress() + "]:" + port) // canonical IPv6 text
          : new ServerAddress(address.getHostAddress(), port, 1);
      // A name listing an address twice is one node.
      members.putIfAbsent(server.name(), new ClusterMember(server, address));
    }
    if (members.isEmpty()) {
      throw new IOException("discovery " + this + ": " + host + " resolves to no address");
    }
    return new DiscoveredCluster(DiscoveredCluster.NO_VERSION, new ArrayList<>(members.values()));
  }

  @Override
  public String toString() {
    return "dns:" + new ServerAddress(host, port, 1).name();
  }
}
