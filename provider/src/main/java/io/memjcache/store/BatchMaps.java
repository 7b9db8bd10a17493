package io.memjcache.store;

/** Sizing for the hash maps that a batch of keys fills, on both sides of the {@link Store} seam. */
public final class BatchMaps {

  private BatchMaps() {}

  /** A hash map's initial capacity for {@code entries} entries: no resize while they go in. */
  public static int capacityFor(int entries) {
    return (int) Math.min(Integer.MAX_VALUE, 4L * entries / 3 + 1);
  }
}
