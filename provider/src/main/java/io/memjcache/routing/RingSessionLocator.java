package io.memjcache.routing;

import com.google.code.yanf4j.core.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *   <li>{@code false} (failover, xmemcached's default): a node without an open session is
 *       skipped, so its keys go to the next live node on the ring, exactly as if the ring were
 *       built from the live nodes alone; they come back when it reconnects. With no live node at
 *       all, there is no session ({@code null}) and xmemcached reports that no connection is
 *       available.
 *   <li>{@code true}: keys stay on their configured node; while it has no open session they map to
 *       a closed session of it, so xmemcached fails the call at once (or uses its standby node).
 * </ul>
 *
 * <p>Keys are routed by the part before their first {@value #TAG_MARK}: a key written to a
 * stand-in node during an outage carries its outage's tag after that mark (see
 * {@code OutageTags}) and still routes like the untagged key.
 *
 * <p>Thread-safe: each {@link #updateSessions} swaps in an immutable snapshot.
 */
public final class RingSessionLocator extends AbstractMemcachedSessionLocator {

  /** Separates a key from its outage tag; never part of a MemJCache key otherwise. */
  public static final char TAG_MARK = '!';

  private final ConsistentHashRing<ConfiguredNode> ring;
  private final NodeAddresses addresses;
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
    this.table = SessionTable.of(List.of(), addresses);
  }

  /**
   * Returns the session for {@code key}: an open session of its node; in failure mode a closed one
   * if its node is down; in failover mode {@code null} if no node is live.
   */
  @Override
  public Session getSessionByKey(String key) {
    int hash = ConsistentHashRing.hash(routingPart(key));
    SessionTable current = table;
    ConfiguredNode node = route(hash, current);
    return node == null ? null : current.sessionFor(node, hash);
  }

  /** Takes the whole current session list; xmemcached calls this on each connect and disconnect. */
  @Override
  public synchronized void updateSessions(Collection<Session> sessions) {
    table = SessionTable.of(sessions, addresses);
  }

  /**
   * Returns the configured name ({@code host:port}) of the node that {@code key} routes to now, or
   * {@code null} in failover mode when no node is live.
   */
  public String nodeNameFor(String key) {
    ConfiguredNode node = route(ConsistentHashRing.hash(routingPart(key)), table);
    return node == null ? null : node.name();
  }

  /**
   * In failover mode, the configured name of {@code key}'s own node when that node has no open
   * session (its keys are on a stand-in now); else null. Also null when no node is live at all.
   */
  public String homeNodeIfDown(String key) {
    if (failureMode) {
      return null;
    }
    SessionTable current = table;
    if (current.isEmpty()) {
      return null;
    }
    ConfiguredNode home = ring.nodeForHash(ConsistentHashRing.hash(routingPart(key)));
    return current.test(home) ? null : home.name();
  }

  /** The configured name of {@code key}'s own node, live or not. */
  public String homeNodeName(String key) {
    return ring.nodeForHash(ConsistentHashRing.hash(routingPart(key))).name();
  }

  /** Whether the configured node {@code name} has an open session now. */
  public boolean isLive(String name) {
    for (ConfiguredNode node : addresses.nodes()) {
      if (node.name().equals(name)) {
        return table.test(node);
      }
    }
    return false;
  }

  /** Whether this locator fails over (xmemcached's failure mode off). */
  public boolean failsOver() {
    return !failureMode;
  }

  private static String routingPart(String key) {
    int mark = key.indexOf(TAG_MARK);
    return mark < 0 ? key : key.substring(0, mark);
  }

  private ConfiguredNode route(int hash, SessionTable current) {
    if (failureMode) {
      return ring.nodeForHash(hash);
    }
    // Skipping nodes without an open session is routing on the ring of live nodes; the emptiness
    // check spares a walk around the whole ring when nothing is connected.
    return current.isEmpty() ? null : ring.nodeForHash(hash, current);
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
