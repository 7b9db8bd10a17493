package io.memjcache.store.memcached;

import io.memjcache.store.StoreEntry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.cache.CacheException;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fail-over without stale values, on both sides of an outage.
 *
 * <p>Stand-in side: while a node is down, its keys live on a stand-in node under {@code key!tag},
 * where the tag names this outage and is agreed by every client through the node's {@link
 * OutageMarkers marker} (the first client to see the outage {@code add}s a random tag, everyone
 * reads it back). At the node's next outage a new tag makes the last outage's stand-in entries
 * unreachable: they can never resurface.
 *
 * <p>Home side: a node that returns may still hold its pre-outage entries (a network cut, not a
 * restart), older than what was written or removed on the stand-in. So before a client sends an
 * untagged key to a node over a new connection, it {@linkplain #admit admits} the node: if an
 * outage is recorded (the marker exists), it flushes the node, keeping the markers of other nodes stored there, and only then deletes the
 * marker (compare-and-swap on the version read, so a newer outage's marker stays); the locator
 * refuses untagged keys for the node until then. A client that sees the marker gone knows
 * another client cleaned the node. A marker nobody deleted (no client used the node since it
 * returned) hands its tag to the node's next outage, which is right: nothing superseded that
 * outage's stand-in entries.
 */
final class OutageTags {

  private static final Logger LOG = LoggerFactory.getLogger(OutageTags.class);

  /** Cap on every stand-in entry's lifetime. */
  static final int STAND_IN_SECONDS = 300;
  /** A client re-reads the marker this often, to follow a tag replaced by a newer outage. */
  private static final long RECHECK_NANOS = 1_000_000_000L;
  /** Admission attempts per call before the call goes to the locator (which then fails it fast). */
  private static final int ADMISSION_ATTEMPTS = 3;

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final OutageMarkers markers;
  /** The address of each node of the current membership, by name. */
  private final Function<String, InetSocketAddress> addresses;
  private final long timeoutMillis;
  private final Map<String, Tag> tags = new ConcurrentHashMap<>();
  private final Map<String, Object> admissionLocks = new ConcurrentHashMap<>();

  /** The tag of one node's outage, the marker version it was read from, and when. */
  private record Tag(String value, long cas, long readAt) {}

  OutageTags(MemcachedClient client, RingSessionLocator locator, Function<String, InetSocketAddress> addresses,
      long timeoutMillis) {
    this.client = client;
    this.locator = locator;
    this.markers = new OutageMarkers(client, locator, timeoutMillis);
    this.addresses = addresses;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * The key to send for {@code key}: itself while its node is up and admitted (or in fail-fast
   * mode), else the key tagged with its node's outage. Admits a node that is back first.
   */
  String wireKey(String key) {
    if (!locator.failsOver()) {
      return key;
    }
    for (int attempt = 0; attempt < ADMISSION_ATTEMPTS; attempt++) {
      String home = locator.homeNodeIfNotAdmitted(key);
      if (home == null) {
        return key;
      }
      long epoch = locator.openEpoch(home);
      if (epoch < 0) {
        return key + RingSessionLocator.TAG_MARK + tagOf(home);
      }
      admit(home, epoch);
    }
    return key; // its node keeps flapping: the locator fails the call fast
  }

  /** True for a key sent tagged: a stand-in entry. */
  static boolean isTagged(String wireKey) {
    return wireKey.indexOf(RingSessionLocator.TAG_MARK) >= 0;
  }

  /** The key as the caller named it. */
  static String untagged(String wireKey) {
    int mark = wireKey.indexOf(RingSessionLocator.TAG_MARK);
    return mark < 0 ? wireKey : wireKey.substring(0, mark);
  }

  /** Whether {@code wireKey} is a stand-in entry of an outage this client currently uses. */
  boolean isCurrentStandIn(String wireKey) {
    int mark = wireKey.indexOf(RingSessionLocator.TAG_MARK);
    if (mark < 0) {
      return false;
    }
    String home = locator.homeNodeIfDown(wireKey);
    Tag tag = home == null ? null : tags.get(home);
    return tag != null && wireKey.substring(mark + 1).equals(tag.value());
  }

  /**
   * Makes {@code node} usable for untagged keys over its connections of {@code epoch}: cleans it
   * first if an outage of it is recorded. When the marker cannot be read or deleted (its node is
   * down too), the call fails and the node stays unused: a marker left behind would hand its old
   * tag, and with it that outage's stand-in entries, to the node's next outage.
   */
  private void admit(String node, long epoch) {
    synchronized (admissionLocks.computeIfAbsent(node, n -> new Object())) {
      if (locator.isAdmitted(node) || locator.openEpoch(node) != epoch) {
        return; // another thread did it, or the node dropped again
      }
      try {
        GetsResponse<StoreEntry> recorded = markers.read(node);
        if (recorded != null) {
          flush(node);
          // False when a newer outage replaced the marker meanwhile: that one stays.
          markers.delete(node, recorded.getCas());
          LOG.warn("memcached node {} is back after an outage: its pre-outage entries were flushed", node);
        }
      } catch (CacheException e) {
        throw e;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new CacheException("memcached node " + node + " is back, but whether it had an outage cannot be"
            + " checked (the node holding its outage marker, " + locator.homeNodeName(markers.keyOf(node))
            + ", does not answer): its keys stay unavailable until it does: " + e.getMessage(), e);
      }
      tags.remove(node);
      locator.admit(node, epoch);
    }
  }

  /** Flushes {@code node}, keeping the markers of other nodes' outages stored there. */
  void flush(String node) {
    try {
      Map<String, StoreEntry> kept = markers.storedOn(node);
      client.flushAll(addresses.apply(node), timeoutMillis);
      markers.restore(kept);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new CacheException("memcached node " + node + " is back after an outage but could not be cleaned of"
          + " its pre-outage entries (it stays unused until it is): " + e.getMessage(), e);
    }
  }

  private String tagOf(String node) {
    Tag tag = tags.get(node);
    long now = System.nanoTime();
    if (tag != null && now - tag.readAt() < RECHECK_NANOS) {
      return tag.value();
    }
    Tag agreed = agree(node, now);
    tags.put(node, agreed);
    return agreed.value();
  }

  /** Reads the marker of {@code node}'s outage, creating it if it is not there. */
  private Tag agree(String node, long now) {
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        GetsResponse<StoreEntry> current = markers.read(node);
        if (current != null) {
          return new Tag(new String(current.getValue().data(), StandardCharsets.US_ASCII), current.getCas(), now);
        }
        String fresh = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        if (markers.add(node, fresh.getBytes(StandardCharsets.US_ASCII))) {
          LOG.warn("memcached node {} is down: its keys are served by the next node on the ring (outage {})", node, fresh);
        }
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new CacheException("memcached node " + node + " is down and no other node could record the"
          + " outage: " + e.getMessage(), e);
    }
    throw new CacheException("memcached node " + node + " is down and its outage marker keeps changing");
  }
}
