package io.memjcache.store;

import io.memjcache.config.ClusterMember;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The seam between JCache semantics and the remote store: raw bytes under string keys, with
 * memcached's compare-and-swap tokens. Implementations route keys to nodes and translate transport
 * failures into {@link javax.cache.CacheException}s naming the node; they know nothing of JCache.
 *
 * <p>{@code expiresAt} arguments are epoch milliseconds ({@link #NEVER} for no expiry); the store
 * turns them into a server-side lifetime that is never shorter than asked. Expiry as JCache sees
 * it is enforced by the caller, which keeps its own times in the stored bytes.
 */
public interface Store extends AutoCloseable {

  long NEVER = Long.MAX_VALUE;

  /** The entry under {@code key}, or null. */
  StoreEntry get(String key);

  /** The present entries among {@code keys}, fetched in one batch per node. */
  Map<String, StoreEntry> getAll(Collection<String> keys);

  /** Stores unconditionally. */
  void set(String key, int flags, byte[] data, long expiresAt);

  /** Stores only if the key is absent; false when it is present. */
  boolean add(String key, int flags, byte[] data, long expiresAt);

  /** Stores only if the entry still has CAS token {@code cas}; false otherwise (or when absent). */
  boolean compareAndSet(String key, long cas, int flags, byte[] data, long expiresAt);

  /** One entry of {@link #setAll}. */
  record Write(String key, int flags, byte[] data, long expiresAt) {}

  /**
   * Stores every entry unconditionally, all requests sent before any answer is awaited: one round
   * trip per node rather than one per key, each key keeping its own outcome. A value too large for
   * the servers is refused before anything is sent.
   */
  BatchOutcome setAll(List<Write> writes);

  /**
   * Deletes each key if it still has the CAS token given ({@code 0}: whatever it holds), pipelined
   * as {@link #setAll}; done maps a key to whether it was deleted.
   */
  BatchOutcome deleteAll(Map<String, Long> casByKey);

  /** One entry of {@link #compareAndSetAll}: replaces (or, with null data, deletes) the version {@code cas}. */
  record Conditional(String key, long cas, int flags, byte[] data, long expiresAt) {}

  /**
   * Replaces or deletes each key only if it still has its CAS token, pipelined as {@link #setAll};
   * done maps a key to whether it was written (false: it changed meanwhile).
   */
  BatchOutcome compareAndSetAll(List<Conditional> writes);

  /** Deletes; false when absent. */
  boolean delete(String key);

  /** Deletes only if the entry still has CAS token {@code cas}; false otherwise. */
  boolean delete(String key, long cas);

  /** Every key on every node that starts with {@code prefix}; a snapshot, possibly stale. */
  List<String> keysWithPrefix(String prefix);

  /**
   * Deletes every key that starts with {@code prefix}, every copy on every node: also copies on a
   * node that is not the key's home now (left by another server list, weights or an outage).
   */
  void deleteWithPrefix(String prefix);

  /**
   * Deletes the copies of keys starting with {@code prefix} that {@link #get} would not reach (on a
   * node that is not the key's home now, or an old outage's stand-in copy), and no other: what
   * {@code removeAll()} leaves after removing the reachable entries one by one, which would come
   * back when the ring changes back.
   */
  void deleteStrayCopies(String prefix);

  /**
   * Routes by {@code members} from now on, without closing anything; keys whose node changed are
   * read as misses where a copy might be stale, until the change settles.
   *
   * @throws IllegalArgumentException if the list is empty or names a node twice
   */
  void changeMembership(List<ClusterMember> members);

  /** The nodes keys are routed to now. */
  List<ClusterMember> membership();

  /** False from a membership change until its clean-up is done. */
  boolean isMembershipSettled();

  /** The configured name ({@code host:port}) of the node {@code key} routes to. */
  String nodeFor(String key);

  /** What was sent to each node of the current membership, in membership order. */
  List<NodeStatistics> nodeStatistics();

  /**
   * One round trip to each node of the current membership, all at once, each waiting at most
   * {@code timeout}; in membership order.
   */
  List<NodeHealth> ping(java.time.Duration timeout);

  @Override
  void close();
}
