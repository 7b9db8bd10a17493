package io.memjcache.store;

import java.util.Collections;
import java.util.Map;
import javax.cache.CacheException;

/**
 * What a batched store operation did to each key: {@code done} maps a key to the operation's
 * answer (stored, deleted), {@code failed} to the failure of its node's request; every key is in
 * exactly one of them.
 */
public record BatchOutcome(Map<String, Boolean> done, Map<String, CacheException> failed) {

  /** Takes the two maps over (no copy: a batch's maps are built for it alone); read-only views. */
  public BatchOutcome {
    done = Collections.unmodifiableMap(done);
    failed = Collections.unmodifiableMap(failed);
  }
}
