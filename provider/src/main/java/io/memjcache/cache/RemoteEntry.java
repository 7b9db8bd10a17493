package io.memjcache.cache;

import io.memjcache.codec.Envelope;
import io.memjcache.store.StoreEntry;

/**
 * What one read of a key found in memcached: nothing, an entry we could not read, or an envelope
 * with the CAS token of that version. The value is deserialized only when asked for. A value of an
 * immutable type is kept and handed out again (no copy is needed); any other value is decoded anew
 * for every caller, so no two callers share a mutable object (store-by-value).
 */
public final class RemoteEntry {

  public static final RemoteEntry ABSENT = new RemoteEntry(null, null);

  private final StoreEntry raw;
  private final Envelope envelope;
  private volatile Object value;

  public RemoteEntry(StoreEntry raw, Envelope envelope) {
    this.raw = raw;
    this.envelope = envelope;
  }

  /** Something is stored under the key, readable or not, live or not. */
  public boolean exists() {
    return raw != null;
  }

  /** A readable entry that has not expired at {@code now}. */
  public boolean isLive(long now) {
    return envelope != null && !envelope.isExpiredAt(now);
  }

  /** A readable entry that has expired by the client's clock but is still in memcached. */
  public boolean isExpired(long now) {
    return envelope != null && envelope.isExpiredAt(now);
  }

  /** A read-through miss's placeholder (see {@link Lease}): no value. */
  public boolean isLease() {
    return Lease.is(raw);
  }

  /** The owner of a lease (see {@link Lease}); 0 for anything else. */
  public long leaseOwner() {
    return isLease() ? Lease.owner(raw) : 0;
  }

  /**
   * Whether this is a lease whose deadline has not passed at {@code now}. A deadline more than
   * {@code maxLeaseMillis} (plus a second of clock skew) ahead cannot come from a lease placed by
   * now, so it is not honoured: a planted lease cannot hold a key for longer than a real one.
   */
  public boolean isLeaseHeldAt(long now, long maxLeaseMillis) {
    if (!isLease()) {
      return false;
    }
    long deadline = Lease.deadline(raw);
    return deadline > now && deadline - now <= maxLeaseMillis + Lease.CLOCK_SKEW_MILLIS;
  }

  public long cas() {
    return raw.cas();
  }

  public Envelope envelope() {
    return envelope;
  }

  public Object cachedValue() {
    return value;
  }

  public void cacheValue(Object decoded) {
    this.value = decoded;
  }
}
