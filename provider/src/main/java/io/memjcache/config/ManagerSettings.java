package io.memjcache.config;

import java.util.Set;
import java.util.function.Function;

/**
 * Everything a CacheManager is configured with: its client's settings, each cache's MemJCache
 * settings, and the caches its configuration file declares (created when the manager opens).
 */
public final class ManagerSettings {

  private final ClientSettings client;
  private final Function<String, CacheSettings> caches;
  private final Set<String> declaredCaches;

  ManagerSettings(ClientSettings client, Function<String, CacheSettings> caches, Set<String> declaredCaches) {
    this.client = client;
    this.caches = caches;
    this.declaredCaches = Set.copyOf(declaredCaches);
  }

  public ClientSettings client() {
    return client;
  }

  /** The settings of cache {@code name}: its own section, else the {@code default} section. */
  public CacheSettings cache(String name) {
    return caches.apply(name);
  }

  public Set<String> declaredCaches() {
    return declaredCaches;
  }
}
