package io.memjcache.benchmarks;

/**
 * One client under test, doing each benchmarked operation on key {@code i} of {@link BenchData}.
 * Every operation is expected to succeed (a hit, a stored write); the setup checks that once.
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

  /** Writes every key's value, for the start of a trial. */
  void populate();

  @Override
  void close();
}
