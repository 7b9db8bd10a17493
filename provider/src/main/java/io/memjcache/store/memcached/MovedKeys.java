package io.memjcache.store.memcached;

import io.memjcache.routing.ConfiguredNode;
import io.memjcache.store.StoreEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys whose node changed in a membership change that has not settled, and their copies on
 * the nodes they left (their former homes).
 *
 * <p>Until the change settles, a client that has not applied it yet still reads and writes a
 * moved key on its former home, and the new home may hold a copy from an earlier membership (the
 * node held the key before, left, and came back). So while a key is moved, the store keeps its
 * copies on the former homes identical to the one on its home, and trusts only agreement: every
 * write of a moved key is mirrored to its former homes (a conditional write is mirrored
 * conditionally, on the versions its read saw there); a read that finds the copies differing (a
 * lagging client wrote or removed the key on its former home, or the home's copy is from another
 * era) deletes them all and is a miss. A lagging client in turn reads the mirrored copy, so it
 * sees the new home's writes. Misses and lost writes of moved keys are the price; a value older
 * than the last write or remove is never returned, as long as every client applies the change
 * within the settle time.
 *
 * <p>Former homes are reached best effort: one that cannot be reached (a node that left dead)
 * is left out, as it holds nothing any client can read either.
 */
final class MovedKeys {

  private static final Logger LOG = LoggerFactory.getLogger(MovedKeys.class);
  /** Bound on the former homes' versions kept between a read and a conditional write. */
  private static final int MAX_REMEMBERED = 65_536;

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final long timeoutMillis;
  /** The former homes' versions a read found agreeing with the home's version, by key. */
  private final Map<String, Versions> remembered = new ConcurrentHashMap<>();

  /** What a read saw: the home's CAS token and, per former home, the copy's token (0: none). */
  record Versions(long homeCas, List<ConfiguredNode> nodes, long[] formerCas) {}

  /** One former home's copy as read, or {@link #UNREACHABLE}. */
  private static final GetsResponse<StoreEntry> UNREACHABLE = new GetsResponse<>(0, null);

  MovedKeys(MemcachedClient client, RingSessionLocator locator, long timeoutMillis) {
    this.client = client;
    this.locator = locator;
    this.timeoutMillis = timeoutMillis;
  }

  /** Whether {@code key}'s node changed in a membership change that has not settled. */
  boolean isMoved(String key) {
    return locator.isMoved(key);
  }

  /** Forgets remembered versions (at each change and settle). */
  void membershipChanged() {
    remembered.clear();
  }

  /**
   * Whether the reachable former homes agree with {@code home} (null: absent), remembering their
   * versions for a conditional write that follows.
   */
  boolean agree(String key, StoreEntry home) {
    List<ConfiguredNode> nodes = new ArrayList<>(locator.formerHomes(key));
    long[] tokens = new long[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      ConfiguredNode node = nodes.get(i);
      GetsResponse<StoreEntry> copy = read(node, key);
      if (copy == UNREACHABLE) {
        continue;
      }
      StoreEntry entry = copy == null ? null : copy.getValue();
      if (!same(home, entry)) {
        return false;
      }
      tokens[i] = copy == null ? 0 : copy.getCas();
    }
    if (home != null) {
      if (remembered.size() < MAX_REMEMBERED) {
        remembered.put(key, new Versions(home.cas(), nodes, tokens));
      }
    } else {
      remembered.remove(key);
    }
    return true;
  }

  /** Mirrors an unconditional write to the former homes. */
  void set(String key, StoreEntry entry, int exptime) {
    for (ConfiguredNode node : locator.formerHomes(key)) {
      call(node, key, () -> client.set(key, exptime, entry, RawTranscoder.INSTANCE, timeoutMillis));
    }
  }

  /** Mirrors an add; false if a former home holds a copy (written there by a lagging client). */
  boolean add(String key, StoreEntry entry, int exptime) {
    boolean all = true;
    for (ConfiguredNode node : locator.formerHomes(key)) {
      Boolean added = call(node, key, () -> client.add(key, exptime, entry, RawTranscoder.INSTANCE, timeoutMillis));
      all &= added == null || added;
    }
    return all;
  }

  /**
   * Mirrors a compare-and-swap that succeeded on the home with {@code homeCas}, on the versions the
   * read saw on the former homes; false when one changed since (or was never seen).
   */
  boolean compareAndSet(String key, long homeCas, StoreEntry entry, int exptime) {
    Versions seen = remembered.remove(key);
    if (seen == null || seen.homeCas() != homeCas) {
      return false;
    }
    boolean all = true;
    for (int i = 0; i < seen.nodes().size(); i++) {
      long cas = seen.formerCas()[i];
      Boolean written = cas == 0
          ? call(seen.nodes().get(i), key, () -> client.add(key, exptime, entry, RawTranscoder.INSTANCE, timeoutMillis))
          : call(seen.nodes().get(i), key, () -> client.cas(key, exptime, entry, RawTranscoder.INSTANCE, timeoutMillis, cas));
      all &= written == null || written;
    }
    return all;
  }

  /** Deletes the copies on every former home; true if one was there. */
  boolean delete(String key) {
    remembered.remove(key);
    boolean found = false;
    for (ConfiguredNode node : locator.formerHomes(key)) {
      Boolean deleted = call(node, key, () -> client.delete(key, timeoutMillis));
      found |= deleted != null && deleted;
    }
    return found;
  }

  /** The copy on {@code node} (null: none), or {@link #UNREACHABLE}. */
  private GetsResponse<StoreEntry> read(ConfiguredNode node, String key) {
    try {
      return locator.onNode(node, () -> client.gets(key, timeoutMillis, RawTranscoder.INSTANCE));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("former home {} of moved key {} not reachable: {}", node, key, e.toString());
      return UNREACHABLE;
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws Exception;
  }

  /** Runs {@code call} on {@code node}; null when the node cannot be reached. */
  private <T> T call(ConfiguredNode node, String key, Call<T> call) {
    try {
      return locator.onNode(node, call::run);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.debug("former home {} of moved key {} not reachable: {}", node, key, e.toString());
      return null;
    }
  }

  private static boolean same(StoreEntry a, StoreEntry b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.flags() == b.flags() && Arrays.equals(a.data(), b.data());
  }
}
