package io.memjcache.integration;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;

/**
 * The cache's {@link CacheLoader}, if any, with the specification's exception rules: whatever a
 * loader throws reaches the caller as a {@link CacheLoaderException}.
 */
public final class Loader<K, V> implements Closeable {

  private final CacheLoader<K, V> loader;
  private final boolean readThrough;

  public Loader(CompleteConfiguration<K, V> configuration) {
    this.loader =
        configuration.getCacheLoaderFactory() == null ? null : configuration.getCacheLoaderFactory().create();
    this.readThrough = configuration.isReadThrough() && loader != null;
  }

  /** True when a miss in get, getAll or an entry processor loads the value. */
  public boolean isReadThrough() {
    return readThrough;
  }

  /** True when {@code loadAll} has a loader to call. */
  public boolean exists() {
    return loader != null;
  }

  public V load(K key) {
    try {
      return loader.load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("loader failed for key " + key, e);
    }
  }

  public Map<K, V> loadAll(Iterable<? extends K> keys) {
    try {
      Map<K, V> loaded = loader.loadAll(keys);
      return loaded == null ? Map.of() : loaded;
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("loader failed", e);
    }
  }

  @Override
  public void close() throws IOException {
    if (loader instanceof Closeable closeable) {
      closeable.close();
    }
  }
}
