package io.memjcache.store.memcached;

import io.memjcache.routing.ConfiguredNode;
import io.memjcache.routing.RingSessionLocator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.rubyeye.xmemcached.MemcachedClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys whose node changed in a membership change that has not settled, and their copies on
 * the nodes they left.
 *
 * <p>Until the change settles, a moved key's home may hold a copy from an earlier membership
 * (the node held the key before, left, and came back), and a client that has not applied the
 * change yet still reads and writes the key on its former home. So the store treats a moved key
 * this way: the first time this client touches it, every copy (home and former homes) is deleted
 * and the key is marked clean for this change; after that, a read also looks at the former homes
 * and a copy found there (written by a client still on the old membership) deletes every copy and
 * makes the read a miss; a write deletes the former homes' copies after writing the home, and a
 * conditional write that finds one there deletes its own as well. Misses and lost writes of moved
 * keys are the price; a value older than the last write is never returned, as long as every
 * client applies the change within the settle time.
 *
 * <p>Former homes are reached best effort: one that cannot be reached holds nothing any client
 * can read either.
 */
final class MovedKeys {

  private static final Logger LOG = LoggerFactory.getLogger(MovedKeys.class);
  /** Bound on the keys remembered as clean; a key not remembered is only cleaned again. */
  private static final int MAX_CLEAN = 65_536;

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final long timeoutMillis;
  /** Keys cleaned, with the membership generation they were cleaned in. */
  private final Map<String, Long> clean = new ConcurrentHashMap<>();
  private volatile long generation;

  MovedKeys(MemcachedClient client, RingSessionLocator locator, long timeoutMillis) {
    this.client = client;
    this.locator = locator;
    this.timeoutMillis = timeoutMillis;
  }

  /** Whether {@code key}'s node changed in a membership change that has not settled. */
  boolean isMoved(String key) {
    return locator.isMoved(key);
  }

  /** The membership generation now: read it before cleaning a key, pass it to {@link #markClean}. */
  long generation() {
    return generation;
  }

  /** Starts a new generation: keys cleaned before are not clean for the new membership. */
  void membershipChanged() {
    generation++;
    clean.clear();
  }

  boolean isClean(String key) {
    Long cleanedIn = clean.get(key);
    return cleanedIn != null && cleanedIn == generation;
  }

  /** Marks {@code key} clean if no change happened since {@code generation} was read. */
  void markClean(String key, long generation) {
    if (generation == this.generation && clean.size() < MAX_CLEAN) {
      clean.put(key, generation);
    }
  }

  /** Deletes the copies of {@code key} on its former homes; true if one was there. */
  boolean deleteOnFormerHomes(String key) {
    boolean found = false;
    for (ConfiguredNode node : locator.formerHomes(key)) {
      try {
        found |= locator.onNode(node, () -> client.delete(key, timeoutMillis));
      } catch (Exception e) {
        unreachable(node, key, e);
      }
    }
    return found;
  }

  /** Whether a former home of {@code key} holds a copy of it. */
  boolean copyOnFormerHomes(String key) {
    for (ConfiguredNode node : locator.formerHomes(key)) {
      try {
        if (locator.onNode(node, () -> client.get(key, timeoutMillis, RawTranscoder.INSTANCE)) != null) {
          return true;
        }
      } catch (Exception e) {
        unreachable(node, key, e);
      }
    }
    return false;
  }

  private static void unreachable(ConfiguredNode node, String key, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    LOG.debug("former home {} of moved key {} not reachable: {}", node, key, e.toString());
  }
}
