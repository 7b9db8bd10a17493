package io.memjcache.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries one enumeration of a cache (an iteration, a {@code removeAll()}) could not read: a
 * key or value of a refused class, garbage, a foreign format. One warning per enumeration names the
 * first; the others are logged at debug level, not one warning per entry per call.
 */
public final class UnreadableEntries {

  private static final Logger LOG = LoggerFactory.getLogger(UnreadableEntries.class);

  private final String cacheName;
  private final String outcome;
  private int count;

  /** @param outcome what happens to such an entry, e.g. "skipped by an iteration" */
  public UnreadableEntries(String cacheName, String outcome) {
    this.cacheName = cacheName;
    this.outcome = outcome;
  }

  public void add(String memcachedKey, String reason) {
    if (count++ == 0) {
      LOG.warn("cache {}: unreadable entry under {} {} ({}); further unreadable entries of the same call are not logged",
          cacheName, memcachedKey, outcome, reason);
    } else {
      LOG.debug("cache {}: unreadable entry under {} {} ({})", cacheName, memcachedKey, outcome, reason);
    }
  }
}
