package io.memjcache.cache;

import java.util.function.Function;
import javax.cache.processor.MutableEntry;

/**
 * The {@link MutableEntry} an entry processor works on: the value read from memcached (or loaded
 * on first read, with read-through) and a record of the net effect, which the cache then writes
 * back atomically.
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V> {

  /** The net effect of the processor on the entry. */
  public enum Outcome {
    NONE,
    READ,
    /** Read-through loaded the value: store it without calling the writer. */
    LOADED,
    SET,
    REMOVED
  }

  private final K key;
  private final boolean existed;
  private final Function<K, V> loader;
  private V value;
  private Outcome outcome = Outcome.NONE;
  private boolean loadedOnMiss;

  /** @param loader the read-through loader, or null */
  public ProcessorEntry(K key, V value, Function<K, V> loader) {
    this.key = key;
    this.value = value;
    this.existed = value != null;
    this.loader = loader;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    if (outcome == Outcome.NONE) {
      if (value == null && loader != null) {
        loadedOnMiss = true;
        value = loader.apply(key);
        outcome = value == null ? Outcome.READ : Outcome.LOADED;
      } else {
        outcome = Outcome.READ;
      }
    }
    return value;
  }

  @Override
  public boolean exists() {
    return value != null;
  }

  @Override
  public void remove() {
    // Removing what this processor created or loaded leaves nothing to do; any other remove is a
    // remove, even of a missing entry (a write-through writer still deletes).
    boolean ownValue = outcome == Outcome.LOADED || (outcome == Outcome.SET && !existed);
    value = null;
    outcome = ownValue ? Outcome.NONE : Outcome.REMOVED;
  }

  @Override
  public void setValue(V newValue) {
    if (newValue == null) {
      throw new NullPointerException("an entry processor may not set a null value");
    }
    value = newValue;
    outcome = Outcome.SET;
  }

  /** Whether the read-through loader ran (whatever it returned and the processor did next). */
  public boolean loadedOnMiss() {
    return loadedOnMiss;
  }

  public Outcome outcome() {
    return outcome;
  }

  public V newValue() {
    return value;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap a mutable entry to " + clazz.getName());
  }
}
