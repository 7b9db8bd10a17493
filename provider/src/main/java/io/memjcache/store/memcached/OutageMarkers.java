package io.memjcache.store.memcached;

import io.memjcache.store.StoreEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.exception.MemcachedException;

/**
 * The outage marker of each node: an entry ({@code memjcache-outage-<node>-<i>}) on another node
 * that records "this node had an outage whose writes went to a stand-in": it holds the outage's
 * tag, and while it exists the node's own memory is suspect. It never expires; it is deleted
 * only by the client that cleaned the returned node. Every client names it alike, whatever its
 * namespace, so all clients of a cluster share one marker per node.
 */
final class OutageMarkers {

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final long timeoutMillis;
  private final Map<String, String> keys = new ConcurrentHashMap<>();

  OutageMarkers(MemcachedClient client, RingSessionLocator locator, long timeoutMillis) {
    this.client = client;
    this.locator = locator;
    this.timeoutMillis = timeoutMillis;
  }

  /** The marker of {@code node}'s outage with its CAS, or null when none is recorded. */
  GetsResponse<StoreEntry> read(String node) throws TimeoutException, InterruptedException, MemcachedException {
    return client.gets(keyOf(node), timeoutMillis, RawTranscoder.INSTANCE);
  }

  /** Records an outage of {@code node} with {@code tag} unless one is recorded; false if one was. */
  boolean add(String node, byte[] tag) throws TimeoutException, InterruptedException, MemcachedException {
    return client.add(keyOf(node), 0, new StoreEntry(0, tag, 0), RawTranscoder.INSTANCE, timeoutMillis);
  }

  /** Deletes the marker if it is still the version read; false if it changed (a newer outage). */
  boolean delete(String node, long cas) throws TimeoutException, InterruptedException, MemcachedException {
    return client.delete(keyOf(node), cas, timeoutMillis);
  }

  /** The markers stored on {@code node} (of other nodes' outages), by key; read before a flush. */
  Map<String, StoreEntry> storedOn(String node) throws TimeoutException, InterruptedException, MemcachedException {
    List<String> onNode = new ArrayList<>();
    for (String other : locator.nodeNames()) {
      if (!other.equals(node) && node.equals(locator.homeNodeName(keyOf(other)))) {
        onNode.add(keyOf(other));
      }
    }
    if (onNode.isEmpty()) {
      return Map.of();
    }
    Map<String, StoreEntry> found = client.get(onNode, timeoutMillis, RawTranscoder.INSTANCE);
    return found == null ? Map.of() : found;
  }

  /** Puts back markers read by {@link #storedOn} after their node was flushed. */
  void restore(Map<String, StoreEntry> markers) throws TimeoutException, InterruptedException, MemcachedException {
    for (Map.Entry<String, StoreEntry> marker : markers.entrySet()) {
      StoreEntry entry = marker.getValue();
      client.add(marker.getKey(), 0, new StoreEntry(0, entry.data(), 0), RawTranscoder.INSTANCE, timeoutMillis);
    }
  }

  /**
   * The marker key of {@code node}: the first of {@code memjcache-outage-<node>-0, -1, ...} that
   * the ring does not place on {@code node} itself (the same for every client). It has no colon,
   * so it is never one of a cache's keys.
   */
  String keyOf(String node) {
    return keys.computeIfAbsent(node, name -> {
      String base = RingSessionLocator.CONTROL_PREFIX
          + name.replace(':', '_').replace('[', '_').replace(']', '_') + "-";
      for (int i = 0; ; i++) {
        String candidate = base + i;
        if (!name.equals(locator.homeNodeName(candidate)) || i > 10_000) {
          return candidate;
        }
      }
    });
  }
}
