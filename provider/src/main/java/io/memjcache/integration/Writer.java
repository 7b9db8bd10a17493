package io.memjcache.integration;

import io.memjcache.cache.MemcachedCacheEntry;
import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import javax.cache.Cache;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * The cache's write-through {@link CacheWriter}, if any. It is called before the cache changes, so
 * a writer's failure — always surfaced as a {@link CacheWriterException} — leaves the cache as it
 * was.
 */
public final class Writer<K, V> implements Closeable {

  private final CacheWriter<K, V> writer;

  public Writer(CompleteConfiguration<K, V> configuration) {
    this.writer =
        configuration.isWriteThrough() && configuration.getCacheWriterFactory() != null
            ? cast(configuration.getCacheWriterFactory().create())
            : null;
  }

  /** The writer accepts supertypes of K and V; calling it with K and V is always safe. */
  @SuppressWarnings("unchecked")
  private static <K, V> CacheWriter<K, V> cast(CacheWriter<? super K, ? super V> writer) {
    return (CacheWriter<K, V>) writer;
  }

  public boolean isWriteThrough() {
    return writer != null;
  }

  public void write(K key, V value) {
    if (writer == null) {
      return;
    }
    try {
      writer.write(new MemcachedCacheEntry<>(key, value));
    } catch (CacheWriterException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheWriterException("writer failed for key " + key, e);
    }
  }

  /**
   * Writes {@code entries}; on failure the entries left in the collection are those not written.
   */
  public void writeAll(Collection<Cache.Entry<? extends K, ? extends V>> entries) {
    if (writer == null || entries.isEmpty()) {
      return;
    }
    try {
      writer.writeAll(entries);
    } catch (CacheWriterException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheWriterException("writer failed", e);
    }
  }

  public void delete(K key) {
    if (writer == null) {
      return;
    }
    try {
      writer.delete(key);
    } catch (CacheWriterException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheWriterException("writer failed to delete key " + key, e);
    }
  }

  /** Deletes {@code keys}; on failure the keys left in the collection are those not deleted. */
  public void deleteAll(Collection<?> keys) {
    if (writer == null || keys.isEmpty()) {
      return;
    }
    try {
      writer.deleteAll(keys);
    } catch (CacheWriterException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheWriterException("writer failed", e);
    }
  }

  @Override
  public void close() throws IOException {
    if (writer instanceof Closeable closeable) {
      closeable.close();
    }
  }
}
