package io.memjcache.store;

/**
 * Bytes read from the store with their flags and the CAS token of that version.
 *
 * <p>A layer that keeps entries (the near cache) hands out the same instance on every hit, so the
 * layer above may memoize its decoding of these exact bytes in {@link #memo()} instead of decoding
 * them again; the bytes themselves never change.
 */
public final class StoreEntry {

  private final int flags;
  private final byte[] data;
  private final long cas;
  private volatile Object memo;

  public StoreEntry(int flags, byte[] data, long cas) {
    this.flags = flags;
    this.data = data;
    this.cas = cas;
  }

  public int flags() {
    return flags;
  }

  public byte[] data() {
    return data;
  }

  public long cas() {
    return cas;
  }

  /** What the layer above derived from these bytes, or null. */
  public Object memo() {
    return memo;
  }

  public void memoize(Object derived) {
    this.memo = derived;
  }
}
