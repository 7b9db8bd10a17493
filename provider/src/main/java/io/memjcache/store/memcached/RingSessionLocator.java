package io.memjcache.store.memcached;

import com.google.code.yanf4j.core.Session;
import io.memjcache.config.ClusterMember;
import io.memjcache.routing.ConfiguredNode;
import io.memjcache.routing.ConsistentHashRing;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.rubyeye.xmemcached.impl.AbstractMemcachedSessionLocator;

/**
 * Routes xmemcached operations with a {@link ConsistentHashRing} over the configured {@code
 * host:port} names. Plug it in with {@code XMemcachedClientBuilder.setSessionLocator}, giving it
 * the same servers as the builder.
 *
 * <p>Nodes are named by configuration, never by the address a session reports, so every client
 * with the same server list and weights routes every key alike. These weights are the ring's;
 * xmemcached's own server weights are ignored. Sessions to servers outside the configuration are
 * ignored.
 *
 * <p>Failure mode, set by the client from its builder:
 *
 * <ul>
 *   <li>{@code true} (fail-fast): keys stay on their configured node; while it has no open
 *       session they map to a closed session of it, so xmemcached fails the call at once (or uses
 *       its standby node).
 *   <li>{@code false} (fail-over, xmemcached's default): a key is routed by the part before its
 *       first {@value #TAG_MARK}. An untagged key goes only to its home node, and only once that
 *       node is {@linkplain #admit admitted} for the connection it has now (the store cleans a node
 *       that returns from an outage before admitting it); otherwise to a closed session of it, so
 *       the call fails at once and never lands on another node. A tagged key ({@code key!tag},
 *       a stand-in entry written during its home node's outage, see {@code OutageTags}) goes only
 *       to the first node after its home on the ring that has an open session, never to its home;
 *       {@code null} (no connection available) when there is none. Keys starting with {@link
 *       #CONTROL_PREFIX} without a colon (the store's outage markers) go to their home whenever it
 *       is connected.
 * </ul>
 *
 * <p>Thread-safe: each {@link #updateSessions} swaps in an immutable snapshot; a node's connection
 * epoch is bumped before the snapshot that shows its new state is published.
 */
public final class RingSessionLocator extends AbstractMemcachedSessionLocator {

  /** Separates a key from its outage tag; never part of a MemJCache key otherwise. */
  public static final char TAG_MARK = '!';

  /** Prefix of the store's control entries, routed to their home node even before it is admitted. */
  public static final String CONTROL_PREFIX = "memjcache-outage-";

  private static final long NEVER_ADMITTED = -1;

  /** Connection epoch and admission of one node, kept by name across membership changes. */
  private static final class NodeState {
    /** Bumped whenever an update finds the node without an open session, or with only new ones. */
    final AtomicLong epoch = new AtomicLong();
    /** The epoch in which it was admitted for untagged keys. */
    final AtomicLong admitted = new AtomicLong(NEVER_ADMITTED);
    /** Commands routed to it (a multi-get sends one per key). */
    final LongAdder commands = new LongAdder();
  }

  private final Map<String, NodeState> states = new ConcurrentHashMap<>();
  /** Calls of this thread go to this node whatever the key (clean-up of copies on former homes). */
  private final ThreadLocal<ConfiguredNode> pinned = new ThreadLocal<>();
  /**
   * The name of the node this thread's last command was routed to, for the store's per-node
   * latency. A String, not a node: a value left in an application thread after the manager closed
   * must not hold on to MemJCache's class loader.
   */
  private final ThreadLocal<String> lastRouted = new ThreadLocal<>();
  private volatile RouteTable routes;
  /** The last session list xmemcached gave; guarded by this. */
  private Collection<Session> sessions = List.of();
  /** Members connected ahead of a change (no keys yet); guarded by this. */
  private List<RouteTable.Members> pending = List.of();

  /**
   * Creates a locator for nodes of equal weight.
   *
   * @param configuredNames the configured {@code host:port} names, e.g. {@code 127.0.0.1:11211}
   * @throws IllegalArgumentException if the list is empty, has duplicates or a malformed name
   */
  public RingSessionLocator(List<String> configuredNames) {
    this(equalWeights(configuredNames));
  }

  /**
   * Creates a locator for weighted nodes.
   *
   * @param weightsByName configured {@code host:port} names with their weights, each from 1 to
   *     {@link ConsistentHashRing#MAX_WEIGHT}
   * @throws IllegalArgumentException if there is no node, a malformed name or a weight out of range
   */
  public RingSessionLocator(Map<String, Integer> weightsByName) {
    this(weightsByName, Map.of());
  }

  /**
   * Creates a locator for weighted nodes, some reached at a given IP rather than by resolving
   * their names.
   *
   * @param ipsByName the IP to connect to, for the names that have one
   */
  public RingSessionLocator(Map<String, Integer> weightsByName, Map<String, InetAddress> ipsByName) {
    Objects.requireNonNull(weightsByName, "weightsByName");
    this.routes = RouteTable.of(members(weightsByName, ipsByName), List.of(), List.of(), List.of());
  }

  /** A locator for {@code members} (names, weights and the IPs some were given). */
  public static RingSessionLocator of(List<ClusterMember> members) {
    RouteTable.Members table = members(members);
    return new RingSessionLocator(table.weights(), table.ips());
  }

  /**
   * Returns the session for {@code key}: an open session of the node it belongs on, or a closed
   * one of its home node so that xmemcached fails the call at once; {@code null} for a tagged key
   * when no other node is live, or for a call pinned to a node no longer known.
   */
  @Override
  public Session getSessionByKey(String key) {
    int mark = key.indexOf(TAG_MARK);
    int hash = ConsistentHashRing.hash(mark < 0 ? key : key.substring(0, mark));
    RouteTable current = routes;
    ConfiguredNode pin = pinned.get();
    if (pin != null) {
      ConfiguredNode node = current.find(pin);
      return node == null ? null : current.table.sessionFor(routed(node), hash);
    }
    ConfiguredNode home = current.ring.nodeForHash(hash);
    if (failureMode) {
      return current.table.sessionFor(routed(home), hash);
    }
    if (mark >= 0) {
      ConfiguredNode standIn = standIn(current, home, hash);
      return standIn == null ? null : current.table.sessionFor(routed(standIn), hash);
    }
    if (isAdmitted(home) || isControlKey(key)) {
      return current.table.sessionFor(routed(home), hash);
    }
    return current.table.closedSessionOf(routed(home));
  }

  /** Counts a command for {@code node} and remembers it as this thread's last route. */
  private ConfiguredNode routed(ConfiguredNode node) {
    state(node).commands.increment();
    lastRouted.set(node.name());
    return node;
  }

  /**
   * The configured name of the node this thread's last command was routed to (null before the
   * first): right after a single-key call, the node that call went to.
   */
  public String lastRoutedNode() {
    return lastRouted.get();
  }

  /** How many commands were routed to the node of this configured name so far. */
  public long commandsRoutedTo(String name) {
    NodeState state = states.get(name);
    return state == null ? 0 : state.commands.sum();
  }

  /**
   * Takes the whole current session list; xmemcached calls this on each connect and disconnect.
   * A node found without an open session, or whose open sessions are all new, starts a new epoch:
   * it must be admitted again before untagged keys reach it.
   */
  @Override
  public synchronized void updateSessions(Collection<Session> sessions) {
    this.sessions = List.copyOf(sessions);
    publish(routes.withSessions(this.sessions));
  }

  /**
   * Makes {@code members} known without giving them keys, so that their sessions are recognised
   * while they connect ahead of {@link #changeMembership}.
   */
  public synchronized void expect(List<ClusterMember> members) {
    pending = List.of(members(members));
    RouteTable current = routes;
    publish(RouteTable.of(current.members, current.unsettled, pending, sessions));
  }

  /**
   * Routes by the ring of {@code members} from now on. The memberships it replaces stay unsettled
   * (their nodes reachable, the keys whose node differs between them {@linkplain #isMoved moved})
   * until {@link #settle}.
   */
  public synchronized void changeMembership(List<ClusterMember> members) {
    RouteTable current = routes;
    List<RouteTable.Members> unsettled = new ArrayList<>(current.unsettled);
    unsettled.add(current.members);
    pending = List.of();
    publish(RouteTable.of(members(members), unsettled, List.of(), sessions));
  }

  /**
   * Forgets the replaced memberships up to the {@code count} oldest: their nodes that are in no
   * other membership are no longer reachable.
   */
  public synchronized void settle(int count) {
    RouteTable current = routes;
    List<RouteTable.Members> left = current.unsettled.subList(Math.min(count, current.unsettled.size()), current.unsettled.size());
    publish(RouteTable.of(current.members, left, pending, sessions));
  }

  /** How many replaced memberships are unsettled. */
  public int unsettledCount() {
    return routes.unsettled.size();
  }

  /**
   * Whether {@code key}'s node (its home) differs between the current membership and one not yet
   * settled: its copies may be stale on its home, and on its former homes.
   */
  public boolean isMoved(String key) {
    RouteTable current = routes;
    if (current.unsettledRings.isEmpty()) {
      return false;
    }
    int hash = ConsistentHashRing.hash(routingPart(key));
    ConfiguredNode home = current.ring.nodeForHash(hash);
    for (ConsistentHashRing<ConfiguredNode> old : current.unsettledRings) {
      if (!old.nodeForHash(hash).sameServer(home)) {
        return true;
      }
    }
    return false;
  }

  /** The homes {@code key} had in unsettled memberships, other than its current one. */
  public List<ConfiguredNode> formerHomes(String key) {
    RouteTable current = routes;
    if (current.unsettledRings.isEmpty()) {
      return List.of();
    }
    int hash = ConsistentHashRing.hash(routingPart(key));
    ConfiguredNode home = current.ring.nodeForHash(hash);
    List<ConfiguredNode> former = new ArrayList<>(1);
    for (ConsistentHashRing<ConfiguredNode> old : current.unsettledRings) {
      ConfiguredNode node = old.nodeForHash(hash);
      if (!node.sameServer(home) && former.stream().noneMatch(node::sameServer)) {
        former.add(node);
      }
    }
    return former;
  }

  /**
   * Whether some key may have {@code node} as its home now and another node in an unsettled
   * membership. Conservative: true whenever {@code node} is new or any node left or was reweighted.
   */
  public boolean gainsKeys(ConfiguredNode node) {
    RouteTable current = routes;
    Map<String, Integer> now = current.members.weights();
    for (RouteTable.Members old : current.unsettled) {
      if (!old.ips().equals(current.members.ips())) {
        return true;
      }
      // Adding other nodes only takes keys away from the nodes already there.
      boolean onlyOthersAdded = old.weights().containsKey(node.name())
          && old.weights().entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey())));
      if (!onlyOthersAdded) {
        return true;
      }
    }
    return false;
  }

  /** The current home of {@code key}. */
  public ConfiguredNode homeOf(String key) {
    return routes.ring.nodeForHash(ConsistentHashRing.hash(routingPart(key)));
  }

  /** The nodes of the current membership. */
  public List<ConfiguredNode> currentNodes() {
    return List.copyOf(routes.byName.values());
  }

  /** Every node a key may sit on now: the current membership's and those of unsettled ones. */
  public List<ConfiguredNode> reachableNodes() {
    return routes.addresses.nodes();
  }

  /**
   * Runs {@code call} with every call it makes sent to {@code node}, whatever the key: how copies
   * are reached on a key's former home. A call to a node no longer known fails.
   */
  public <T, E extends Exception> T onNode(ConfiguredNode node, PinnedCall<T, E> call) throws E {
    ConfiguredNode previous = pinned.get();
    pinned.set(node);
    try {
      return call.run();
    } finally {
      if (previous == null) {
        pinned.remove();
      } else {
        pinned.set(previous);
      }
    }
  }

  /** A call run by {@link #onNode}. */
  @FunctionalInterface
  public interface PinnedCall<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Returns the configured name ({@code host:port}) of the node that serves {@code key} now: its
   * home, or in fail-over mode while its home has no open session the stand-in; {@code null} when
   * no node is live in fail-over mode.
   */
  public String nodeNameFor(String key) {
    int mark = key.indexOf(TAG_MARK);
    int hash = ConsistentHashRing.hash(mark < 0 ? key : key.substring(0, mark));
    RouteTable current = routes;
    ConfiguredNode home = current.ring.nodeForHash(hash);
    if (failureMode || mark < 0 && current.table.test(home)) {
      return home.name();
    }
    ConfiguredNode standIn = standIn(current, home, hash);
    return standIn == null ? null : standIn.name();
  }

  /**
   * In failover mode, the configured name of {@code key}'s own node when that node has no open
   * session (its keys are on a stand-in now); else null.
   */
  public String homeNodeIfDown(String key) {
    if (failureMode) {
      return null;
    }
    RouteTable current = routes;
    ConfiguredNode home = current.ring.nodeForHash(ConsistentHashRing.hash(routingPart(key)));
    return current.table.test(home) ? null : home.name();
  }

  /**
   * In failover mode, the configured name of {@code key}'s own node unless that node is connected
   * and admitted (the usual case, then null); always null in failure mode.
   */
  public String homeNodeIfNotAdmitted(String key) {
    if (failureMode) {
      return null;
    }
    RouteTable current = routes;
    ConfiguredNode home = current.ring.nodeForHash(ConsistentHashRing.hash(routingPart(key)));
    return current.table.test(home) && isAdmitted(home) ? null : home.name();
  }

  /**
   * The connection epoch of node {@code name} if it has an open session now, else -1. Pass it to
   * {@link #admit} once the node is known to be clean.
   */
  public long openEpoch(String name) {
    RouteTable current = routes;
    ConfiguredNode node = node(current, name);
    long epoch = state(node).epoch.get();
    return current.table.test(node) ? epoch : -1;
  }

  /**
   * Lets untagged keys reach node {@code name} for as long as it keeps the connections of {@code
   * epoch}; does nothing if it has lost them since. Returns whether the node is admitted now.
   */
  public synchronized boolean admit(String name, long epoch) {
    NodeState state = state(node(routes, name));
    if (state.epoch.get() == epoch) {
      state.admitted.set(epoch);
    }
    return state.admitted.get() == state.epoch.get();
  }

  /** Whether untagged keys of node {@code name} may reach it now. */
  public boolean isAdmitted(String name) {
    return isAdmitted(node(routes, name));
  }

  /** The configured name of {@code key}'s own node, live or not. */
  public String homeNodeName(String key) {
    return homeOf(key).name();
  }

  /** Whether the node {@code name} of the current membership has an open session now. */
  public boolean isLive(String name) {
    RouteTable current = routes;
    ConfiguredNode node = current.byName.get(name);
    return node != null && current.table.test(node);
  }

  /** The names of the current membership's nodes. */
  public List<String> nodeNames() {
    return List.copyOf(routes.members.weights().keySet());
  }

  /** Whether this locator fails over (xmemcached's failure mode off). */
  public boolean failsOver() {
    return !failureMode;
  }

  /** Bumps the epochs of nodes the new table shows without (or with only new) open sessions, then publishes it. */
  private void publish(RouteTable next) {
    RouteTable previous = routes;
    for (ConfiguredNode node : next.addresses.nodes()) {
      ConfiguredNode before = previous == null ? null : previous.find(node);
      if (!next.table.test(node) || before == null || !next.table.sharesAnOpenSession(previous.table, node, before)) {
        state(node).epoch.incrementAndGet();
      }
    }
    routes = next;
  }

  private NodeState state(ConfiguredNode node) {
    return states.computeIfAbsent(node.name(), name -> new NodeState());
  }

  private static String routingPart(String key) {
    int mark = key.indexOf(TAG_MARK);
    return mark < 0 ? key : key.substring(0, mark);
  }

  /** A marker: the prefix and no colon (every cache key has a colon after its namespace). */
  private static boolean isControlKey(String key) {
    return key.startsWith(CONTROL_PREFIX) && key.indexOf(':') < 0;
  }

  private boolean isAdmitted(ConfiguredNode node) {
    NodeState state = state(node);
    return state.admitted.get() == state.epoch.get();
  }

  /** The first node after {@code home} on the ring with an open session, never {@code home}. */
  private static ConfiguredNode standIn(RouteTable current, ConfiguredNode home, int hash) {
    return current.table.isEmpty()
        ? null
        : current.ring.nodeForHash(hash, node -> node != home && current.table.test(node));
  }

  private static ConfiguredNode node(RouteTable current, String name) {
    ConfiguredNode node = current.byName.get(name);
    if (node == null) {
      throw new IllegalArgumentException("not a configured memcached node: " + name);
    }
    return node;
  }

  private static RouteTable.Members members(List<ClusterMember> members) {
    Objects.requireNonNull(members, "members");
    Map<String, Integer> weights = new LinkedHashMap<>();
    Map<String, InetAddress> ips = new LinkedHashMap<>();
    for (ClusterMember member : members) {
      if (weights.put(member.name(), member.server().weight()) != null) {
        throw new IllegalArgumentException("Memcached node named twice: " + member.name());
      }
      if (member.ip() != null) {
        ips.put(member.name(), member.ip());
      }
    }
    return members(weights, ips);
  }

  private static RouteTable.Members members(Map<String, Integer> weights, Map<String, InetAddress> ips) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("At least one memcached node must be configured");
    }
    for (String name : weights.keySet()) {
      ConfiguredNode.parse(0, name, null); // refuses a malformed name before anything changes
    }
    return new RouteTable.Members(weights, ips);
  }

  private static Map<String, Integer> equalWeights(List<String> configuredNames) {
    Objects.requireNonNull(configuredNames, "configuredNames");
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String name : configuredNames) {
      if (weights.put(name, 1) != null) {
        throw new IllegalArgumentException("Memcached node configured twice: " + name);
      }
    }
    return weights;
  }
}
