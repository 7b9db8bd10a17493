package io.memjcache.sample.plain;

import java.io.Serializable;
import java.util.List;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;

/** Records created and updated entries as short strings, such as {@code created apple=12}. */
final class PrintingListener
    implements CacheEntryCreatedListener<String, Integer>, CacheEntryUpdatedListener<String, Integer>, Serializable {

  private static final long serialVersionUID = 1L;

  private final transient List<String> events;

  PrintingListener(List<String> events) {
    this.events = events;
  }

  @Override
  public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends Integer>> created) {
    for (CacheEntryEvent<? extends String, ? extends Integer> event : created) {
      events.add("created " + event.getKey() + "=" + event.getValue());
    }
  }

  @Override
  public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Integer>> updated) {
    for (CacheEntryEvent<? extends String, ? extends Integer> event : updated) {
      events.add("updated " + event.getKey() + " " + event.getOldValue() + " -> " + event.getValue());
    }
  }
}
