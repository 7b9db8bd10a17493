package io.memjcache.event;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryListenerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one cache's events to its registered listeners: synchronous listeners on the calling
 * thread before the operation returns, asynchronous ones on a single thread per cache, which keeps
 * every key's events (indeed all events) in the order they happened. That thread ends when idle
 * for a few seconds (a cache never closed leaves no thread behind), and none starts once the cache
 * is closed: events raised by an operation that races with {@link #close()} are dropped.
 *
 * <p>Events are raised by the JVM that performs a mutation; memcached pushes nothing, so other
 * JVMs' writes raise no events here.
 */
public final class EventDispatcher<K, V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  /** How long the asynchronous delivery thread waits for work before it ends. */
  private static final long IDLE_SECONDS = 5;

  private final String cacheName;
  private final List<ListenerRegistration<K, V>> registrations = new CopyOnWriteArrayList<>();
  private ThreadPoolExecutor async;
  private boolean closed;

  public EventDispatcher(String cacheName) {
    this.cacheName = cacheName;
  }

  /** True when someone listens: only then do operations build events. */
  public boolean isActive() {
    return !registrations.isEmpty();
  }

  public synchronized void register(CacheEntryListenerConfiguration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    for (ListenerRegistration<K, V> existing : registrations) {
      if (existing.configuration().equals(configuration)) {
        throw new IllegalArgumentException("listener already registered on cache " + cacheName + ": " + configuration);
      }
    }
    registrations.add(new ListenerRegistration<>(configuration));
  }

  public synchronized void deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    for (ListenerRegistration<K, V> existing : registrations) {
      if (existing.configuration().equals(configuration)) {
        registrations.remove(existing);
        existing.close();
        return;
      }
    }
  }

  /**
   * Delivers {@code events} (in order). A synchronous listener's failure reaches the caller as a
   * {@link CacheEntryListenerException}; the other listeners still get their events.
   */
  public void dispatch(List<MemcachedCacheEntryEvent<K, V>> events) {
    if (events == null || events.isEmpty()) {
      return;
    }
    RuntimeException failure = null;
    for (ListenerRegistration<K, V> registration : registrations) {
      if (registration.isSynchronous()) {
        try {
          registration.deliver(events);
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e instanceof CacheEntryListenerException ? e : new CacheEntryListenerException(e);
          }
        }
      } else {
        deliverLater(registration, events);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void deliverAsync(ListenerRegistration<K, V> registration, List<MemcachedCacheEntryEvent<K, V>> events) {
    try {
      registration.deliver(events);
    } catch (RuntimeException e) {
      LOG.warn("asynchronous listener of cache {} failed", cacheName, e);
    }
  }

  private synchronized void deliverLater(
      ListenerRegistration<K, V> registration, List<MemcachedCacheEntryEvent<K, V>> events) {
    if (closed) {
      LOG.debug("cache {} closed: {} asynchronous event(s) dropped", cacheName, events.size());
      return;
    }
    if (async == null) {
      // One thread keeps the events in order; it ends when idle, so a cache never closed leaves none.
      async = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          DetachedThreads.daemon("memjcache-events-" + cacheName));
      async.allowCoreThreadTimeOut(true);
    }
    try {
      async.execute(() -> deliverAsync(registration, events));
    } catch (RejectedExecutionException e) {
      LOG.debug("cache {} closing: asynchronous events dropped", cacheName);
    }
  }

  /** Lets queued asynchronous events finish (briefly), then closes every listener. */
  @Override
  public synchronized void close() {
    closed = true;
    if (async != null) {
      async.shutdown();
      try {
        async.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      async = null;
    }
    for (ListenerRegistration<K, V> registration : registrations) {
      registration.close();
    }
    registrations.clear();
  }
}
