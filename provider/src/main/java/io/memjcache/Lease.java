package io.memjcache;

import io.memjcache.store.StoreEntry;

/**
 * A placeholder that a read-through miss stores under its key before the loader runs, so that the
 * loaded value is stored only if nobody wrote or removed the key meanwhile: the fill replaces the
 * lease with compare-and-swap, and any put (which overwrites it) or remove (which deletes it) in
 * between makes that swap fail. Without it, a fill can store a value the loader read before a
 * write, over that write, for good; and an {@code add} alone cannot see a put followed by a remove.
 *
 * <p>A lease reads as a miss everywhere (no value; enumeration and writes treat it as an entry
 * they may replace or delete). It is memcached flags {@link #FLAGS} — a format version no
 * envelope uses — and lives {@link #MILLIS} at most: a loader slower than that loses its fill (the
 * caller still gets the loaded value), and the lease of a JVM that died mid-load disappears.
 */
final class Lease {

  /** Format version 0x4C ('L') in the flags' version byte, no other bit. */
  static final int FLAGS = 0x4C;
  static final byte[] DATA = {'L'};
  static final long MILLIS = 30_000;

  private Lease() {}

  static boolean is(StoreEntry raw) {
    return raw != null && raw.flags() == FLAGS;
  }
}
