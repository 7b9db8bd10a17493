package io.memjcache.cache;

import javax.cache.Cache;

/** An entry handed out by the cache's iterator and by listeners: a detached copy. */
public final class MemcachedCacheEntry<K, V> implements Cache.Entry<K, V> {

  private final K key;
  private final V value;

  public MemcachedCacheEntry(K key, V value) {
    this.key = key;
    this.value = value;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    return value;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap a cache entry to " + clazz.getName());
  }

  @Override
  public String toString() {
    return key + "=" + value;
  }
}
