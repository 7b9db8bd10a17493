package io.memjcache.discovery;

import io.memjcache.config.ClusterMember;
import io.memjcache.config.ServerAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The configured servers as a membership source: each host name is resolved again at every poll,
 * so a node whose name now resolves to another address (a pod restarted elsewhere behind a stable
 * name) stays the same node on the ring, reached at its new address, and its copies there are
 * handled like those of a node that joins. Never fails: a name that does not resolve keeps the
 * address it last had (or none, and is resolved when connecting), and an address the name still
 * resolves to is kept rather than another of its addresses, so round-robin DNS does not flap.
 */
public final class ResolvingServerList implements ClusterDiscovery {

  private volatile List<ServerAddress> servers;
  private final Map<String, InetAddress> lastResolved = new ConcurrentHashMap<>();

  public ResolvingServerList(List<ServerAddress> servers) {
    replace(servers);
  }

  /** Resolves {@code servers} from now on (a membership changed by hand). */
  public void replace(List<ServerAddress> servers) {
    Objects.requireNonNull(servers, "servers");
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one memcached server is required");
    }
    this.servers = List.copyOf(servers);
  }

  @Override
  public DiscoveredCluster discover() {
    List<ClusterMember> members = new ArrayList<>();
    for (ServerAddress server : servers) {
      members.add(new ClusterMember(server, resolve(server)));
    }
    return new DiscoveredCluster(DiscoveredCluster.NO_VERSION, members);
  }

  private InetAddress resolve(ServerAddress server) {
    InetAddress previous = lastResolved.get(server.name());
    InetAddress[] now;
    try {
      now = InetAddress.getAllByName(server.host());
    } catch (UnknownHostException | SecurityException e) {
      return previous;
    }
    InetAddress chosen = previous != null && Arrays.asList(now).contains(previous) ? previous : now[0];
    lastResolved.put(server.name(), chosen);
    return chosen;
  }

  @Override
  public String toString() {
    return "servers " + servers;
  }
}
