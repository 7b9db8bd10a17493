package io.memjcache.integration;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;

/**
 * The cache's {@link CacheLoader}, if any, with the specification's exception rules: whatever a
 * loader throws reaches the caller as a {@link CacheLoaderException}.
 */
public final class Loader<K, V> implements Closeable {

  /** How long {@link #close} waits for loads in flight (a loadAll in the background) to end. */
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final CacheLoader<K, V> loader;
  private final boolean readThrough;
  /** Loads hold it shared, close exclusively: a loader is never called once it has been closed. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private volatile boolean closed;

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
    gate.readLock().lock();
    try {
      requireOpen();
      return loader.load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("loader failed for key " + key, e);
    } finally {
      gate.readLock().unlock();
    }
  }

  public Map<K, V> loadAll(Iterable<? extends K> keys) {
    gate.readLock().lock();
    try {
      requireOpen();
      Map<K, V> loaded = loader.loadAll(keys);
      return loaded == null ? Map.of() : loaded;
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("loader failed", e);
    } finally {
      gate.readLock().unlock();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new CacheLoaderException("the cache is closed: its loader is not called any more");
    }
  }

  /** Waits (bounded) for loads in flight, then closes a {@link Closeable} loader; later loads fail. */
  @Override
  public void close() throws IOException {
    boolean locked = false;
    try {
      locked = gate.writeLock().tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      closed = true;
      if (loader instanceof Closeable closeable) {
        closeable.close();
      }
    } finally {
      if (locked) {
        gate.writeLock().unlock();
      }
    }
  }
}
