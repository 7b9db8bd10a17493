package io.memjcache.benchmarks;

import java.util.Collection;
import java.util.Map;

/**
 * One client under test, doing each benchmarked operation on key {@code i} of {@link BenchData}
 * or on a {@link BulkBatch}. Every operation is expected to succeed (a hit, a stored write): the
 * benchmarks check each result, and {@link #read} reads back what the writes left.
 */
interface Target extends AutoCloseable {

  /** The value of key {@code i}. */
  Object get(int i);

  /** Stores key {@code i}'s value, unconditionally. */
  void put(int i);

  /** Reads batch {@code b}, 100 keys, in one call. */
  Object getAll(int b);

  /** Stores a value under a key never used before ({@code n} is unique within the trial). */
  boolean putIfAbsent(long n);

  /** replace(k, old, new): compare with the current value, then write (old == new here). */
  boolean replace(int i);

  /** A read-modify-write: read the value, rotate it by one character, write it back atomically. */
  Object invoke(int i);

  /** Stores the batch's values of {@code variant} (0 or 1) under its 100 keys. */
  void putAll(BulkBatch batch, int variant);

  /** Removes the batch's 100 keys. */
  void removeAll(BulkBatch batch);

  /**
   * Rotates the value of each of the batch's 100 keys by one character in one call; returns
   * key → old length. Only JCache targets have this.
   */
  default Map<?, ?> invokeAll(BulkBatch batch) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no invokeAll");
  }

  /** For the checks: the values present under these keys (String or byte[]), misses left out. */
  Map<String, ?> read(Collection<String> keys);

  /** Writes every key's value, for the start of a trial. */
  void populate();

  @Override
  void close();
}
