package io.memjcache.event;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One registered listener with its filter, made from its configuration's factories. */
final class ListenerRegistration<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerRegistration.class);

  private final CacheEntryListenerConfiguration<K, V> configuration;
  private final CacheEntryListener<? super K, ? super V> listener;
  private final CacheEntryEventFilter<? super K, ? super V> filter;

  ListenerRegistration(CacheEntryListenerConfiguration<K, V> configuration) {
    this.configuration = configuration;
    this.listener = configuration.getCacheEntryListenerFactory().create();
    Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory =
        configuration.getCacheEntryEventFilterFactory();
    this.filter = filterFactory == null ? null : filterFactory.create();
  }

  CacheEntryListenerConfiguration<K, V> configuration() {
    return configuration;
  }

  boolean isSynchronous() {
    return configuration.isSynchronous();
  }

  boolean isOldValueRequired() {
    return configuration.isOldValueRequired();
  }

  /** Whether the listener implements the interface for {@code type}. */
  boolean listensTo(EventType type) {
    return switch (type) {
      case CREATED -> listener instanceof CacheEntryCreatedListener;
      case UPDATED -> listener instanceof CacheEntryUpdatedListener;
      case REMOVED -> listener instanceof CacheEntryRemovedListener;
      case EXPIRED -> listener instanceof CacheEntryExpiredListener;
    };
  }

  /** Delivers the events this listener wants, grouped by consecutive type to keep their order. */
  @SuppressWarnings("unchecked")
  void deliver(List<MemcachedCacheEntryEvent<K, V>> events) {
    List<CacheEntryEvent<? extends K, ? extends V>> run = new ArrayList<>();
    EventType runType = null;
    for (MemcachedCacheEntryEvent<K, V> event : events) {
      if (!listensTo(event.getEventType()) || (filter != null && !filter.evaluate(event))) {
        continue;
      }
      CacheEntryEvent<K, V> delivered = isOldValueRequired() ? event : withoutOldValue(event);
      if (runType != null && runType != event.getEventType()) {
        fire(runType, run);
        run = new ArrayList<>();
      }
      runType = event.getEventType();
      run.add(delivered);
    }
    if (runType != null) {
      fire(runType, run);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void fire(EventType type, List<CacheEntryEvent<? extends K, ? extends V>> events) {
    Iterable iterable = events;
    switch (type) {
      case CREATED -> ((CacheEntryCreatedListener) listener).onCreated(iterable);
      case UPDATED -> ((CacheEntryUpdatedListener) listener).onUpdated(iterable);
      case REMOVED -> ((CacheEntryRemovedListener) listener).onRemoved(iterable);
      case EXPIRED -> ((CacheEntryExpiredListener) listener).onExpired(iterable);
    }
  }

  private static <K, V> CacheEntryEvent<K, V> withoutOldValue(MemcachedCacheEntryEvent<K, V> event) {
    if (!event.isOldValueAvailable()) {
      return event;
    }
    @SuppressWarnings("unchecked")
    javax.cache.Cache<K, V> source = (javax.cache.Cache<K, V>) event.getSource();
    // For REMOVED and EXPIRED the value is the old value: withheld too unless asked for.
    EventType type = event.getEventType();
    V value = type == EventType.REMOVED || type == EventType.EXPIRED ? null : event.getValue();
    return new MemcachedCacheEntryEvent<>(source, type, event.getKey(), value, null);
  }

  void close() {
    closeQuietly(listener);
    closeQuietly(filter);
  }

  static void closeQuietly(Object resource) {
    if (resource instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("error closing {}", resource, e);
      }
    }
  }
}
