package io.memjcache.leakapp;

import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;

/** An asynchronous listener of the simulated web app. */
public final class LeakListener implements CacheEntryCreatedListener<String, Object>, Serializable {

  static final AtomicInteger CREATED = new AtomicInteger();

  @Override
  public void onCreated(Iterable<CacheEntryEvent<? extends String, ?>> events) {
    events.forEach(event -> CREATED.incrementAndGet());
  }
}
