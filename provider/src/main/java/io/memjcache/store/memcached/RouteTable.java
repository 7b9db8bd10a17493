package io.memjcache.store.memcached;

import com.google.code.yanf4j.core.Session;
import io.memjcache.routing.ConfiguredNode;
import io.memjcache.routing.ConsistentHashRing;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable routing state of the locator: the ring of the current membership, the rings of the
 * memberships it replaced that have not settled yet, every node of any of them (a node that left
 * stays reachable until the change settles, for the clean-up of its copies), and their sessions.
 */
final class RouteTable {

  /** A membership: node names with weights, and the IP each was given (absent: resolve the name). */
  record Members(Map<String, Integer> weights, Map<String, InetAddress> ips) {
    Members {
      weights = new LinkedHashMap<>(weights);
      ips = new LinkedHashMap<>(ips);
    }
  }

  final Members members;
  final List<Members> unsettled;
  final ConsistentHashRing<ConfiguredNode> ring;
  /** The rings of {@link #unsettled}, oldest first. */
  final List<ConsistentHashRing<ConfiguredNode>> unsettledRings;
  /** Nodes named by the current membership, by name. */
  final Map<String, ConfiguredNode> byName;
  final NodeAddresses addresses;
  /** Every node of {@link #addresses}, by identity: how nodes are matched across tables. */
  private final Map<ConfiguredNode.Server, ConfiguredNode> byServer;
  final SessionTable table;

  private RouteTable(Members members, List<Members> unsettled, ConsistentHashRing<ConfiguredNode> ring,
      List<ConsistentHashRing<ConfiguredNode>> unsettledRings, Map<String, ConfiguredNode> byName,
      NodeAddresses addresses, Map<ConfiguredNode.Server, ConfiguredNode> byServer, SessionTable table) {
    this.members = members;
    this.unsettled = List.copyOf(unsettled);
    this.ring = ring;
    this.unsettledRings = unsettledRings;
    this.byName = byName;
    this.addresses = addresses;
    this.byServer = byServer;
    this.table = table;
  }

  /**
   * Routes for {@code members}, with {@code unsettled} memberships still fenced and {@code extra}
   * members known (connected, no keys) besides; sessions are sorted from {@code sessions}.
   */
  static RouteTable of(Members members, List<Members> unsettled, List<Members> extra, Collection<Session> sessions) {
    Map<ConfiguredNode.Server, ConfiguredNode> byServer = new LinkedHashMap<>();
    addNodes(byServer, members);
    unsettled.forEach(old -> addNodes(byServer, old));
    extra.forEach(more -> addNodes(byServer, more));
    NodeAddresses addresses = new NodeAddresses(List.copyOf(byServer.values()));
    List<ConsistentHashRing<ConfiguredNode>> rings = new ArrayList<>();
    unsettled.forEach(old -> rings.add(ringOf(old, byServer)));
    Map<String, ConfiguredNode> current = new LinkedHashMap<>();
    members.weights().keySet().forEach(name ->
        current.put(name, byServer.get(new ConfiguredNode.Server(name, members.ips().get(name)))));
    return new RouteTable(members, unsettled, ringOf(members, byServer), List.copyOf(rings), Map.copyOf(current),
        addresses, Map.copyOf(byServer), SessionTable.of(sessions, addresses));
  }

  /** The same routes with another session list. */
  RouteTable withSessions(Collection<Session> sessions) {
    return new RouteTable(members, unsettled, ring, unsettledRings, byName, addresses, byServer,
        SessionTable.of(sessions, addresses));
  }

  /** The node that is the same server as {@code node} in this table, or null. */
  ConfiguredNode find(ConfiguredNode node) {
    return byServer.get(node.server());
  }

  /** Adds the nodes of {@code members} not known yet, indexed in order of arrival. */
  private static void addNodes(Map<ConfiguredNode.Server, ConfiguredNode> byServer, Members members) {
    for (String name : members.weights().keySet()) {
      byServer.computeIfAbsent(new ConfiguredNode.Server(name, members.ips().get(name)),
          server -> ConfiguredNode.parse(byServer.size(), name, server.ip()));
    }
  }

  private static ConsistentHashRing<ConfiguredNode> ringOf(
      Members members, Map<ConfiguredNode.Server, ConfiguredNode> byServer) {
    return ConsistentHashRing.build(members.weights(),
        name -> byServer.get(new ConfiguredNode.Server(name, members.ips().get(name))));
  }
}
