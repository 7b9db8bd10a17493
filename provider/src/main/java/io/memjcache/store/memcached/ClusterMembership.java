package io.memjcache.store.memcached;

import io.memjcache.config.ClientSettings;
import io.memjcache.config.ClusterMember;
import io.memjcache.routing.ConfiguredNode;
import io.memjcache.routing.ConsistentHashRing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.cache.CacheException;
import net.rubyeye.xmemcached.MemcachedClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes a client routes to, changed at run time.
 *
 * <p>A change connects the new nodes first (up to the connect timeout), then routes by the new
 * ring at once; the keys whose node changed are {@linkplain MovedKeys moved} until the change
 * settles: a settle time after the last change (long enough for every client to have applied it
 * and for calls in flight on the old ring to have ended), the copies of moved keys on their new
 * homes are deleted (listed with {@code lru_crawler metadump}; with SASL, which has no key
 * listing, those nodes are flushed), the nodes that left are disconnected, and moved keys are
 * ordinary keys again. Each client cleans up after its own change: no coordination is needed, at
 * the price of a few extra misses when many clients change at once.
 */
final class ClusterMembership implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final MovedKeys moved;
  private final KeyLister lister;
  private final NodeDeleter deleter;
  private final OutageTags outages;
  private final ClientSettings settings;
  private final String namespacePrefix;
  private final Duration settleTime;
  private final ScheduledExecutorService settler;
  private volatile List<ClusterMember> members;
  /** Counts changes: a settle started before a newer change does not settle it. */
  private long changes;
  private ScheduledFuture<?> settling;

  ClusterMembership(MemcachedClient client, RingSessionLocator locator, MovedKeys moved, KeyLister lister,
      NodeDeleter deleter, OutageTags outages, ClientSettings settings, String namespacePrefix,
      List<ClusterMember> initial) {
    this.client = client;
    this.locator = locator;
    this.moved = moved;
    this.lister = lister;
    this.deleter = deleter;
    this.outages = outages;
    this.settings = settings;
    this.namespacePrefix = namespacePrefix;
    // Calls in flight on the old ring end within an operation timeout; the settle time is the
    // window clients are given to apply the change, and never shorter than that.
    Duration floor = settings.operationTimeout().multipliedBy(2);
    if (settings.discovers()) {
      // Clients polling one source apply a change up to one interval apart.
      floor = floor.plus(settings.discovery().interval());
    }
    this.settleTime = settings.membershipSettle().compareTo(floor) < 0 ? floor : settings.membershipSettle();
    this.members = List.copyOf(initial);
    this.settler = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "memjcache-membership-" + settings.namespace());
      thread.setDaemon(true);
      return thread;
    });
  }

  List<ClusterMember> members() {
    return members;
  }

  /** Whether every change has settled: no key is treated as moved. */
  boolean isSettled() {
    return locator.unsettledCount() == 0;
  }

  /**
   * The addresses of the nodes whose keys are listed: the members, and the nodes that left in a
   * change that has not settled while they are still connected (a dead one holds nothing anyone
   * reads, and must not fail a listing).
   */
  List<InetSocketAddress> reachableAddresses() {
    Set<InetSocketAddress> all = new LinkedHashSet<>();
    members.forEach(member -> all.add(member.socketAddress()));
    Set<InetSocketAddress> connected = new HashSet<>(client.getAvailableServers());
    for (ConfiguredNode node : locator.reachableNodes()) {
      InetSocketAddress address = node.resolve();
      if (connected.contains(address)) {
        all.add(address);
      }
    }
    return List.copyOf(all);
  }

  private List<InetSocketAddress> knownAddresses() {
    return locator.reachableNodes().stream().map(ConfiguredNode::resolve).toList();
  }

  /** The address of the member named {@code name}, or null. */
  InetSocketAddress addressOf(String name) {
    for (ClusterMember member : members) {
      if (member.name().equals(name)) {
        return member.socketAddress();
      }
    }
    return null;
  }

  /** Routes by {@code next} from now on; see the class comment. */
  synchronized void change(List<ClusterMember> next) {
    Objects.requireNonNull(next, "members");
    if (next.isEmpty()) {
      throw new IllegalArgumentException("a membership needs at least one memcached node");
    }
    if (Set.copyOf(next).equals(Set.copyOf(members))) {
      return;
    }
    List<ClusterMember> added = new ArrayList<>();
    Set<InetSocketAddress> connected = new HashSet<>(client.getAvailableServers());
    for (ClusterMember member : next) {
      if (!connected.contains(member.socketAddress()) && !isMember(member)) {
        added.add(member);
      }
    }
    locator.expect(next);
    connect(added);
    cleanBeforeRouting(next);
    moved.membershipChanged();
    locator.changeMembership(next);
    members = List.copyOf(next);
    changes++;
    LOG.info("memcached membership changed to {}; keys that moved are cleaned up in {}", next, settleTime);
    if (settling != null) {
      settling.cancel(false);
    }
    long change = changes;
    settling = settler.schedule(() -> settle(change), settleTime.toMillis(), TimeUnit.MILLISECONDS);
  }

  private boolean isMember(ClusterMember candidate) {
    return members.contains(candidate);
  }

  /** Adds the servers and waits, up to the connect timeout, for them to answer. */
  private void connect(List<ClusterMember> added) {
    for (ClusterMember member : added) {
      try {
        if (settings.authenticates()) {
          Sasl.authorize(client, member.socketAddress(), settings.username(), settings.password());
        }
        client.addServer(member.socketAddress());
      } catch (IOException e) {
        throw new CacheException("cannot connect to memcached node " + member + ": " + e.getMessage(), e);
      }
    }
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    for (ClusterMember member : added) {
      while (!client.getAvailableServers().contains(member.socketAddress()) && System.nanoTime() < deadline) {
        sleep(10);
      }
      if (!client.getAvailableServers().contains(member.socketAddress())) {
        LOG.warn("memcached node {} joins the membership but is not connected yet", member);
      }
    }
  }

  /** Cleans the moved keys' new homes, then forgets the old memberships, unless a newer change came. */
  private void settle(long change) {
    int unsettled;
    synchronized (this) {
      if (change != changes) {
        return;
      }
      unsettled = locator.unsettledCount();
    }
    try {
      cleanNewHomes();
    } catch (RuntimeException e) {
      LOG.warn("memcached membership change not settled yet (retrying in {}): {}", settleTime, e.toString());
      synchronized (this) {
        if (change == changes) {
          settling = settler.schedule(() -> settle(change), settleTime.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
      return;
    }
    synchronized (this) {
      if (change != changes) {
        return;
      }
      List<InetSocketAddress> before = knownAddresses();
      moved.membershipChanged();
      locator.settle(unsettled);
      List<InetSocketAddress> after = knownAddresses();
      for (InetSocketAddress gone : before) {
        if (!after.contains(gone)) {
          client.removeServer(gone);
        }
      }
      LOG.info("memcached membership change to {} settled", members);
    }
  }

  /** Deletes, on each current node, the copies of keys that moved to it: they predate the change. */
  private void cleanNewHomes() {
    for (ConfiguredNode node : locator.currentNodes()) {
      InetSocketAddress address = node.resolve();
      if (settings.authenticates()) {
        if (locator.gainsKeys(node)) {
          outages.flush(node.name());
        }
        continue;
      }
      deleteListed(address, key -> locator.isMoved(key) && locator.homeOf(key).sameServer(node));
    }
  }

  /**
   * Deletes, on the node at {@code address}, the keys of this namespace it lists that {@code
   * stale} picks (outage stand-in copies, reached through their tags, are left alone).
   */
  private void deleteListed(InetSocketAddress address, Predicate<String> stale) {
    List<String> picked = new ArrayList<>();
    for (String wireKey : lister.keysWithPrefix(address, namespacePrefix)) {
      if (wireKey.equals(OutageTags.untagged(wireKey)) && stale.test(wireKey)) {
        picked.add(wireKey);
      }
    }
    deleter.delete(address, picked);
  }

  /**
   * Deletes, on each node that gains keys in {@code next}, its copies of those keys before any
   * call is routed there: they are from an earlier time the node held them (or from nowhere), and
   * a manager opened on the new list afterwards, which knows of no change, reads them unguarded.
   * A node that cannot be listed now is left to the clean-up when the change settles.
   */
  private void cleanBeforeRouting(List<ClusterMember> next) {
    ConsistentHashRing<ClusterMember> before = ring(members);
    ConsistentHashRing<ClusterMember> after = ring(next);
    for (ClusterMember node : next) {
      if (!gainsKeys(node, next)) {
        continue;
      }
      InetSocketAddress address = node.socketAddress();
      try {
        if (settings.authenticates()) {
          if (isMember(node)) {
            outages.flush(node.name()); // keeps the outage markers stored there
          } else {
            client.flushAll(address, settings.operationTimeout().toMillis());
          }
          continue;
        }
        deleteListed(address, key -> sameServer(after.nodeFor(key), node) && !sameServer(before.nodeFor(key), node));
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        LOG.warn("memcached node {} gains keys but could not be cleaned before the change ({}); it is cleaned when"
            + " the change settles", node, e.toString());
      }
    }
  }

  /** Whether {@code node} may be the home of a key in {@code next} that lived elsewhere before. */
  private boolean gainsKeys(ClusterMember node, List<ClusterMember> next) {
    if (!isMember(node)) {
      return true; // new, re-addressed or re-weighted
    }
    for (ClusterMember member : members) {
      if (!next.contains(member)) {
        return true; // a node left or changed: its keys spread over the others
      }
    }
    return false;
  }

  private static boolean sameServer(ClusterMember a, ClusterMember b) {
    return a.name().equals(b.name()) && Objects.equals(a.ip(), b.ip());
  }

  private static ConsistentHashRing<ClusterMember> ring(List<ClusterMember> members) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    Map<String, ClusterMember> byName = new HashMap<>();
    for (ClusterMember member : members) {
      weights.put(member.name(), member.server().weight());
      byName.put(member.name(), member);
    }
    return ConsistentHashRing.build(weights, byName::get);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while connecting to new memcached nodes", e);
    }
  }

  @Override
  public synchronized void close() {
    settler.shutdownNow();
  }
}
