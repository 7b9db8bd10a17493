package io.memjcache.event;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryListenerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one cache's events to its registered listeners: synchronous listeners on the calling
 * thread before the operation returns, asynchronous ones on a single thread per cache, which keeps
 * every key's events (indeed all events) in the order they happened.
 *
 * <p>Events are raised by the JVM that performs a mutation; memcached pushes nothing, so other
 * JVMs' writes raise no events here.
 */
public final class EventDispatcher<K, V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final String cacheName;
  private final List<ListenerRegistration<K, V>> registrations = new CopyOnWriteArrayList<>();
  private ExecutorService async;

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
        asyncExecutor().execute(() -> deliverAsync(registration, events));
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

  private synchronized ExecutorService asyncExecutor() {
    if (async == null) {
      async = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "memjcache-events-" + cacheName);
        thread.setDaemon(true);
        return thread;
      });
    }
    return async;
  }

  /** Lets queued asynchronous events finish (briefly), then closes every listener. */
  @Override
  public synchronized void close() {
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
