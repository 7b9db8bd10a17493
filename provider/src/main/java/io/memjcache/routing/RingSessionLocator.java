package io.memjcache.routing;

import com.google.code.yanf4j.core.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
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

  private final ConsistentHashRing<ConfiguredNode> ring;
  private final NodeAddresses addresses;
  private final Map<String, ConfiguredNode> byName;
  /** Per node: bumped whenever an update finds it without an open session, or with only new ones. */
  private final AtomicLongArray epochs;
  /** Per node: the epoch in which it was admitted for untagged keys. */
  private final AtomicLongArray admitted;
  private volatile SessionTable table;

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
    Objects.requireNonNull(weightsByName, "weightsByName");
    if (weightsByName.isEmpty()) {
      throw new IllegalArgumentException("At least one memcached node must be configured");
    }
    List<ConfiguredNode> nodes = new ArrayList<>();
    weightsByName.keySet().forEach(name -> nodes.add(ConfiguredNode.parse(nodes.size(), name)));
    Map<String, ConfiguredNode> byName = new LinkedHashMap<>();
    nodes.forEach(node -> byName.put(node.name(), node));
    this.ring = ConsistentHashRing.build(weightsByName, byName::get);
    this.addresses = new NodeAddresses(nodes);
    this.byName = Map.copyOf(byName);
    this.epochs = new AtomicLongArray(nodes.size());
    this.admitted = new AtomicLongArray(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      admitted.set(i, NEVER_ADMITTED);
    }
    this.table = SessionTable.of(List.of(), addresses);
  }

  /**
   * Returns the session for {@code key}: an open session of the node it belongs on, or a closed
   * one of its home node so that xmemcached fails the call at once; {@code null} for a tagged key
   * when no other node is live.
   */
  @Override
  public Session getSessionByKey(String key) {
    int mark = key.indexOf(TAG_MARK);
    int hash = ConsistentHashRing.hash(mark < 0 ? key : key.substring(0, mark));
    SessionTable current = table;
    ConfiguredNode home = ring.nodeForHash(hash);
    if (failureMode) {
      return current.sessionFor(home, hash);
    }
    if (mark >= 0) {
      ConfiguredNode standIn = standIn(home, hash, current);
      return standIn == null ? null : current.sessionFor(standIn, hash);
    }
    if (isAdmitted(home) || isControlKey(key)) {
      return current.sessionFor(home, hash);
    }
    return current.closedSessionOf(home);
  }

  /**
   * Takes the whole current session list; xmemcached calls this on each connect and disconnect.
   * A node found without an open session, or whose open sessions are all new, starts a new epoch:
   * it must be admitted again before untagged keys reach it.
   */
  @Override
  public synchronized void updateSessions(Collection<Session> sessions) {
    SessionTable previous = table;
    SessionTable next = SessionTable.of(sessions, addresses);
    for (ConfiguredNode node : addresses.nodes()) {
      if (!next.test(node) || !next.sharesAnOpenSession(previous, node)) {
        epochs.incrementAndGet(node.index());
      }
    }
    table = next;
  }

  /**
   * Returns the configured name ({@code host:port}) of the node that serves {@code key} now: its
   * home, or in fail-over mode while its home has no open session the stand-in; {@code null} when
   * no node is live in fail-over mode.
   */
  public String nodeNameFor(String key) {
    int mark = key.indexOf(TAG_MARK);
    int hash = ConsistentHashRing.hash(mark < 0 ? key : key.substring(0, mark));
    SessionTable current = table;
    ConfiguredNode home = ring.nodeForHash(hash);
    if (failureMode || mark < 0 && current.test(home)) {
      return home.name();
    }
    ConfiguredNode standIn = standIn(home, hash, current);
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
    ConfiguredNode home = ring.nodeForHash(ConsistentHashRing.hash(routingPart(key)));
    return table.test(home) ? null : home.name();
  }

  /**
   * In failover mode, the configured name of {@code key}'s own node unless that node is connected
   * and admitted (the usual case, then null); always null in failure mode.
   */
  public String homeNodeIfNotAdmitted(String key) {
    if (failureMode) {
      return null;
    }
    ConfiguredNode home = ring.nodeForHash(ConsistentHashRing.hash(routingPart(key)));
    return table.test(home) && isAdmitted(home) ? null : home.name();
  }

  /**
   * The connection epoch of node {@code name} if it has an open session now, else -1. Pass it to
   * {@link #admit} once the node is known to be clean.
   */
  public long openEpoch(String name) {
    ConfiguredNode node = node(name);
    long epoch = epochs.get(node.index());
    return table.test(node) ? epoch : -1;
  }

  /**
   * Lets untagged keys reach node {@code name} for as long as it keeps the connections of {@code
   * epoch}; does nothing if it has lost them since. Returns whether the node is admitted now.
   */
  public synchronized boolean admit(String name, long epoch) {
    ConfiguredNode node = node(name);
    if (epochs.get(node.index()) == epoch) {
      admitted.set(node.index(), epoch);
    }
    return isAdmitted(node);
  }

  /** Whether untagged keys of node {@code name} may reach it now. */
  public boolean isAdmitted(String name) {
    return isAdmitted(node(name));
  }

  /** The configured name of {@code key}'s own node, live or not. */
  public String homeNodeName(String key) {
    return ring.nodeForHash(ConsistentHashRing.hash(routingPart(key))).name();
  }

  /** Whether the configured node {@code name} has an open session now. */
  public boolean isLive(String name) {
    ConfiguredNode node = byName.get(name);
    return node != null && table.test(node);
  }

  /** The configured names, in configuration order. */
  public List<String> nodeNames() {
    return addresses.nodes().stream().map(ConfiguredNode::name).toList();
  }

  /** Whether this locator fails over (xmemcached's failure mode off). */
  public boolean failsOver() {
    return !failureMode;
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
    return admitted.get(node.index()) == epochs.get(node.index());
  }

  /** The first node after {@code home} on the ring with an open session, never {@code home}. */
  private ConfiguredNode standIn(ConfiguredNode home, int hash, SessionTable current) {
    return current.isEmpty() ? null : ring.nodeForHash(hash, node -> node != home && current.test(node));
  }

  private ConfiguredNode node(String name) {
    ConfiguredNode node = byName.get(name);
    if (node == null) {
      throw new IllegalArgumentException("not a configured memcached node: " + name);
    }
    return node;
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
