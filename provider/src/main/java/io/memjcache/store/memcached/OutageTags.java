package io.memjcache.store.memcached;

import io.memjcache.routing.RingSessionLocator;
import io.memjcache.store.StoreEntry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fail-over without stale resurrections. While a node is down, its keys live on a stand-in node
 * under {@code key!tag}, where the tag names this outage; when the node is back its keys are read
 * from it again, and at its next outage a new tag makes the last outage's stand-in entries
 * unreachable: they can never resurface as stale values. (Without the tag, a value written to the
 * stand-in in one outage would be read again in the next, whatever was written since.)
 *
 * <p>Every client must use the same tag for one outage, or one JVM would miss another's writes
 * and read its own older ones. The tag is agreed through a marker entry ({@code
 * memjcache-outage-<node>-<i>}, a key whose own node is not the node it is about, so that it is
 * written, read and deleted on the same live node): the first client to see the outage {@code
 * add}s a random tag, everyone reads it back. The first client to see the node return deletes the marker
 * (compare-and-swap on the version it read, so a newer outage's marker is never removed).
 *
 * <p>Bound, for when no client sees the return (all stopped meanwhile): the marker and every
 * stand-in entry live at most {@link #STAND_IN_SECONDS}; a marker that expired during an outage is
 * replaced by a new tag, which hides the older stand-in entries (misses, never stale values).
 */
final class OutageTags {

  private static final Logger LOG = LoggerFactory.getLogger(OutageTags.class);

  /** Lifetime of the marker and cap on every stand-in entry's lifetime. */
  static final int STAND_IN_SECONDS = 300;
  /** A client re-reads the marker this often, to follow a tag replaced after expiry. */
  private static final long RECHECK_NANOS = 1_000_000_000L;
  private static final String MARKER_PREFIX = "memjcache-outage-";

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final long timeoutMillis;
  private final Map<String, Tag> tags = new ConcurrentHashMap<>();
  private final Map<String, String> markers = new ConcurrentHashMap<>();

  /** The tag of one node's outage, the marker version it was read from, and when. */
  private record Tag(String value, long cas, long readAt) {}

  OutageTags(MemcachedClient client, RingSessionLocator locator, long timeoutMillis) {
    this.client = client;
    this.locator = locator;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * The key to send for {@code key}: itself while its node is up (or in fail-fast mode), else the
   * key tagged with its node's outage.
   */
  String wireKey(String key) {
    if (!locator.failsOver()) {
      return key;
    }
    if (!tags.isEmpty()) {
      forgetRecoveredNodes();
    }
    String downNode = locator.homeNodeIfDown(key);
    if (downNode == null) {
      return key;
    }
    return key + RingSessionLocator.TAG_MARK + tagOf(downNode);
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
    String marker = markerKey(node);
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        GetsResponse<StoreEntry> current = client.gets(marker, timeoutMillis, RawTranscoder.INSTANCE);
        if (current != null) {
          return new Tag(new String(current.getValue().data(), StandardCharsets.US_ASCII), current.getCas(), now);
        }
        String fresh = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        byte[] bytes = fresh.getBytes(StandardCharsets.US_ASCII);
        if (client.add(marker, STAND_IN_SECONDS, new StoreEntry(0, bytes, 0), RawTranscoder.INSTANCE, timeoutMillis)) {
          LOG.warn("memcached node {} is down: its keys are served by the next node on the ring (outage {})", node, fresh);
        }
      }
    } catch (Exception e) {
      throw new javax.cache.CacheException("memcached node " + node + " is down and no other node could record the"
          + " outage: " + e.getMessage(), e);
    }
    throw new javax.cache.CacheException("memcached node " + node + " is down and its outage marker keeps changing");
  }

  /**
   * The marker key of {@code node}'s outages: the first of {@code memjcache-outage-<node>-0, -1, ...}
   * that the ring does not place on {@code node} itself (the same for every client). It has no
   * colon, so it is never one of a cache's keys.
   */
  private String markerKey(String node) {
    return markers.computeIfAbsent(node, name -> {
      String base = MARKER_PREFIX + name.replace(':', '_').replace('[', '_').replace(']', '_') + "-";
      for (int i = 0; ; i++) {
        String candidate = base + i;
        if (!name.equals(locator.homeNodeName(candidate)) || i > 10_000) {
          return candidate;
        }
      }
    });
  }

  /** Drops the tags of nodes that are back, deleting their markers (unless a newer outage replaced them). */
  private void forgetRecoveredNodes() {
    for (Map.Entry<String, Tag> entry : tags.entrySet()) {
      String node = entry.getKey();
      if (locator.isLive(node) && tags.remove(node, entry.getValue())) {
        try {
          client.delete(markerKey(node), entry.getValue().cas(), timeoutMillis);
          LOG.warn("memcached node {} is back: its keys are read from it again", node);
        } catch (Exception e) {
          // Another client deletes it, or it expires within STAND_IN_SECONDS.
          LOG.debug("could not delete the outage marker of {}", node, e);
        }
      }
    }
  }
}
