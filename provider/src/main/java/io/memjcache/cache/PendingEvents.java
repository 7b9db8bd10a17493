package io.memjcache.cache;

import io.memjcache.event.MemcachedCacheEntryEvent;
import java.util.ArrayList;
import java.util.List;
import javax.cache.Cache;
import javax.cache.event.EventType;

/**
 * The events one operation raises, collected while it runs and dispatched when it is done. When
 * nobody listens it records nothing (and callers skip work that only events need).
 */
public final class PendingEvents<K, V> {

  private final Cache<K, V> source;
  private final List<MemcachedCacheEntryEvent<K, V>> events;

  private static final PendingEvents<?, ?> NONE = new PendingEvents<>(null, false);

  private PendingEvents(Cache<K, V> source, boolean active) {
    this.source = source;
    this.events = active ? new ArrayList<>(2) : null;
  }

  /** A collector for one operation; when nobody listens, a shared one that records nothing. */
  @SuppressWarnings("unchecked")
  public static <K, V> PendingEvents<K, V> of(Cache<K, V> source, boolean active) {
    return active ? new PendingEvents<>(source, true) : (PendingEvents<K, V>) NONE;
  }

  public boolean isActive() {
    return events != null;
  }

  public void created(K key, V value) {
    add(EventType.CREATED, key, value, null);
  }

  public void updated(K key, V value, V oldValue) {
    add(EventType.UPDATED, key, value, oldValue);
  }

  public void removed(K key, V oldValue) {
    add(EventType.REMOVED, key, oldValue, oldValue);
  }

  public void expired(K key, V oldValue) {
    add(EventType.EXPIRED, key, oldValue, oldValue);
  }

  private void add(EventType type, K key, V value, V oldValue) {
    if (events != null) {
      events.add(new MemcachedCacheEntryEvent<>(source, type, key, value, oldValue));
    }
  }

  public List<MemcachedCacheEntryEvent<K, V>> list() {
    return events;
  }
}
