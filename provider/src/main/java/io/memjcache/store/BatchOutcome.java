package io.memjcache.store;

import java.util.Map;
import javax.cache.CacheException;

/**
 * What a batched store operation did to each key: {@code done} maps a key to the operation's
 * answer (stored, deleted), {@code failed} to the failure of its node's request; every key is in
 * exactly one of them.
 */
public record BatchOutcome(Map<String, Boolean> done, Map<String, CacheException> failed) {

  public BatchOutcome {
    done = Map.copyOf(done);
    failed = Map.copyOf(failed);
  }
}
