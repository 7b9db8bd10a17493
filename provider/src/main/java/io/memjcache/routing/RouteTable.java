package io.memjcache.routing;

import com.google.code.yanf4j.core.Session;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
  final SessionTable table;

  private RouteTable(Members members, List<Members> unsettled, ConsistentHashRing<ConfiguredNode> ring,
      List<ConsistentHashRing<ConfiguredNode>> unsettledRings, Map<String, ConfiguredNode> byName,
      NodeAddresses addresses, SessionTable table) {
    this.members = members;
    this.unsettled = List.copyOf(unsettled);
    this.ring = ring;
    this.unsettledRings = unsettledRings;
    this.byName = byName;
    this.addresses = addresses;
    this.table = table;
  }

  /**
   * Routes for {@code members}, with {@code unsettled} memberships still fenced and {@code extra}
   * members known (connected, no keys) besides; sessions are sorted from {@code sessions}.
   */
  static RouteTable of(Members members, List<Members> unsettled, List<Members> extra, Collection<Session> sessions) {
    List<ConfiguredNode> nodes = new ArrayList<>();
    addNodes(nodes, members);
    unsettled.forEach(old -> addNodes(nodes, old));
    extra.forEach(more -> addNodes(nodes, more));
    NodeAddresses addresses = new NodeAddresses(nodes);
    List<ConsistentHashRing<ConfiguredNode>> rings = new ArrayList<>();
    unsettled.forEach(old -> rings.add(ringOf(old, nodes)));
    Map<String, ConfiguredNode> current = new LinkedHashMap<>();
    for (ConfiguredNode node : nodes) {
      if (members.weights().containsKey(node.name()) && Objects.equals(node.ip(), members.ips().get(node.name()))) {
        current.put(node.name(), node);
      }
    }
    return new RouteTable(members, unsettled, ringOf(members, nodes), List.copyOf(rings), Map.copyOf(current),
        addresses, SessionTable.of(sessions, addresses));
  }

  /** The same routes with another session list. */
  RouteTable withSessions(Collection<Session> sessions) {
    return new RouteTable(members, unsettled, ring, unsettledRings, byName, addresses, SessionTable.of(sessions, addresses));
  }

  /** The node that is the same server as {@code node} in this table, or null. */
  ConfiguredNode find(ConfiguredNode node) {
    for (ConfiguredNode known : addresses.nodes()) {
      if (known.sameServer(node)) {
        return known;
      }
    }
    return null;
  }

  private static void addNodes(List<ConfiguredNode> nodes, Members members) {
    for (String name : members.weights().keySet()) {
      ConfiguredNode node = ConfiguredNode.parse(nodes.size(), name, members.ips().get(name));
      if (nodes.stream().noneMatch(node::sameServer)) {
        nodes.add(node);
      }
    }
  }

  private static ConsistentHashRing<ConfiguredNode> ringOf(Members members, List<ConfiguredNode> nodes) {
    return ConsistentHashRing.build(members.weights(), name -> {
      InetAddress ip = members.ips().get(name);
      for (ConfiguredNode node : nodes) {
        if (node.name().equals(name) && Objects.equals(node.ip(), ip)) {
          return node;
        }
      }
      return null;
    });
  }
}
