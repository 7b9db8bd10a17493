package io.memjcache.cache;

import io.memjcache.store.StoreEntry;
import java.nio.ByteBuffer;

/**
 * A placeholder that a read-through miss stores under its key before the loader runs. It serves
 * two rules:
 *
 * <ul>
 *   <li><b>A loaded value never overwrites a write.</b> The loaded value is stored only in place
 *       of the lease (compare-and-swap); any put (which overwrites it) or remove (which deletes it)
 *       in between makes that swap fail. An {@code add} alone could not see a put followed by a
 *       remove.
 *   <li><b>One load per key across the cluster.</b> The lease names its owner (one load of one
 *       JVM) and a deadline: callers that find another owner's lease before its deadline wait for
 *       the value instead of loading; after the deadline (the owner died or its load is too slow)
 *       one of them replaces the lease with its own and loads.
 * </ul>
 *
 * <p>A lease reads as a miss everywhere (no value; enumeration and writes treat it as an entry
 * they may replace or delete). It is memcached flags {@link #FLAGS} — a format version no envelope
 * uses — with 16 bytes: the owner and the deadline (epoch milliseconds). memcached drops it a
 * second or two after its deadline.
 */
public final class Lease {

  /** Format version 0x4C ('L') in the flags' version byte, no other bit. */
  public static final int FLAGS = 0x4C;
  private static final int LENGTH = 16;
  /** How far another JVM's clock may run ahead of ours when it sets a lease's deadline. */
  static final long CLOCK_SKEW_MILLIS = 1_000;

  private Lease() {}

  public static boolean is(StoreEntry raw) {
    return raw != null && raw.flags() == FLAGS;
  }

  public static byte[] data(long owner, long deadline) {
    return ByteBuffer.allocate(LENGTH).putLong(owner).putLong(deadline).array();
  }

  /** The owner of a lease; 0 (nobody's) when the bytes are not a lease's. */
  public static long owner(StoreEntry raw) {
    return raw.data() != null && raw.data().length == LENGTH ? ByteBuffer.wrap(raw.data()).getLong(0) : 0;
  }

  /** The deadline of a lease; 0 (long passed) when the bytes are not a lease's. */
  public static long deadline(StoreEntry raw) {
    return raw.data() != null && raw.data().length == LENGTH ? ByteBuffer.wrap(raw.data()).getLong(8) : 0;
  }
}
