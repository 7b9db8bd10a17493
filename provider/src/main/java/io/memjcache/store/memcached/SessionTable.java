package io.memjcache.store.memcached;

import com.google.code.yanf4j.core.Session;
import io.memjcache.routing.ConfiguredNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import net.rubyeye.xmemcached.impl.ClosedMemcachedTCPSession;
import net.rubyeye.xmemcached.utils.InetSocketAddressWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of the sessions xmemcached holds for each configured node. As a predicate
 * it tells whether a node has an open session, which is what failover routing skips on.
 */
final class SessionTable implements Predicate<ConfiguredNode> {

  private static final Logger LOG = LoggerFactory.getLogger(SessionTable.class);

  /** Sessions of each node (open or closed), indexed by {@link ConfiguredNode#index()}. */
  private final Session[][] sessionsByNode;
  /** A closed session of each node, returned when it has no open one so that calls fail fast. */
  private final Session[] closedByNode;
  private final boolean empty;

  private SessionTable(Session[][] sessionsByNode, Session[] closedByNode, boolean empty) {
    this.sessionsByNode = sessionsByNode;
    this.closedByNode = closedByNode;
    this.empty = empty;
  }

  /** Sorts {@code sessions} by node; sessions of unconfigured addresses are logged and left out. */
  static SessionTable of(Collection<Session> sessions, NodeAddresses addresses) {
    List<ConfiguredNode> nodes = addresses.nodes();
    List<List<Session>> byNode = new ArrayList<>();
    nodes.forEach(node -> byNode.add(new ArrayList<>()));
    boolean empty = true;
    for (Session session : sessions) {
      InetSocketAddress remote = session.getRemoteSocketAddress();
      ConfiguredNode node = remote == null ? null : addresses.nodeAt(remote);
      if (node == null) {
        LOG.warn("Ignoring a session to {}: it matches no configured memcached node", remote);
      } else {
        byNode.get(node.index()).add(session);
        empty = false;
      }
    }
    Session[][] sessionsByNode = new Session[nodes.size()][];
    Session[] closedByNode = new Session[nodes.size()];
    for (ConfiguredNode node : nodes) {
      List<Session> own = byNode.get(node.index());
      sessionsByNode[node.index()] = own.toArray(new Session[0]);
      // In failure mode xmemcached keeps a dead node's closed session in the list; reuse it so
      // that its standby sessions still apply, else stand one in as xmemcached does for a node
      // that never connected.
      closedByNode[node.index()] =
          own.stream()
              .filter(Session::isClosed)
              .findFirst()
              .orElseGet(() -> standIn(node, addresses));
    }
    return new SessionTable(sessionsByNode, closedByNode, empty);
  }

  /** True if no session of any configured node was given. */
  boolean isEmpty() {
    return empty;
  }

  /** True if {@code node} has an open session. */
  @Override
  public boolean test(ConfiguredNode node) {
    for (Session session : sessionsByNode[node.index()]) {
      if (!session.isClosed()) {
        return true;
      }
    }
    return false;
  }

  /**
   * An open session of {@code node}, picked by the key's hash so one key always uses the same
   * connection of a pool (keeping its operations in order); a closed session if there is none, so
   * that xmemcached fails the call at once ("Session ... has been closed").
   */
  Session sessionFor(ConfiguredNode node, int keyHash) {
    Session[] sessions = sessionsByNode[node.index()];
    for (int i = 0; i < sessions.length; i++) {
      Session session = sessions[Math.floorMod(keyHash + i, sessions.length)];
      if (!session.isClosed()) {
        return session;
      }
    }
    return closedByNode[node.index()];
  }

  /** A closed session of {@code node}: routing a key there makes xmemcached fail the call at once. */
  Session closedSessionOf(ConfiguredNode node) {
    return closedByNode[node.index()];
  }

  /**
   * Whether one of {@code node}'s open sessions here was open in {@code earlier} too, where the
   * same server was {@code before} (indexes differ between tables).
   */
  boolean sharesAnOpenSession(SessionTable earlier, ConfiguredNode node, ConfiguredNode before) {
    for (Session session : sessionsByNode[node.index()]) {
      if (!session.isClosed()) {
        for (Session old : earlier.sessionsByNode[before.index()]) {
          if (old == session) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static Session standIn(ConfiguredNode node, NodeAddresses addresses) {
    // resolve=false: a resolving wrapper looks the host up again on every address read.
    return new ClosedMemcachedTCPSession(
        new InetSocketAddressWrapper(addresses.addressOf(node), node.index(), 1, null, false));
  }
}
