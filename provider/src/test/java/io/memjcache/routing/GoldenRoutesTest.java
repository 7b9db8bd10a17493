package io.memjcache.routing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memjcache.MemcachedCache;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.store.memcached.RingSessionLocator;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Golden routes: fixed keys go to fixed nodes for a fixed node list and weights, written here as
 * literals, never computed by the routing code under test. Two MemJCache versions that route a
 * key differently, running side by side in a rolling deploy, read and write different copies and
 * serve stale values; so any change that makes this test fail is a breaking change (README,
 * "Semantics and limits"). Covers every step a route depends on: the hash, the ring and its
 * weights, the locator (including the outage tag it ignores) and the key encoding of a cache.
 */
class GoldenRoutesTest {

  /** The README's example cluster: three nodes, the third with weight 2. */
  private static final Map<String, Integer> NODES = new LinkedHashMap<>();

  static {
    NODES.put("cache1:11211", 1);
    NODES.put("cache2:11211", 1);
    NODES.put("cache3:11211", 2);
  }

  private record Route(String key, int hash, String node) {}

  private static final List<Route> RING_ROUTES = List.of(
      new Route("", 0, "cache2:11211"),
      new Route("a", 1009084850, "cache1:11211"),
      new Route("key-0", -482871105, "cache1:11211"),
      new Route("key-1", -1733225056, "cache2:11211"),
      new Route("key-2", -201829108, "cache3:11211"),
      new Route("key-3", 2034982562, "cache1:11211"),
      new Route("key-4", -505742938, "cache2:11211"),
      new Route("key-5", 512346046, "cache3:11211"),
      new Route("key-6", 136335094, "cache3:11211"),
      new Route("key-7", 2054334308, "cache3:11211"),
      new Route("key-8", 339503824, "cache2:11211"),
      new Route("key-9", -1192076940, "cache3:11211"),
      new Route("user:42", -945380491, "cache1:11211"),
      new Route("\u65e5\u672c", -992347838, "cache3:11211"),
      new Route("shop:orders:=order-1", 1132594607, "cache2:11211"),
      new Route("shop:orders:=order-1!3f2a", -477372814, "cache1:11211"));

  @Test
  void theRingRoutesFixedKeysToFixedNodes() {
    ConsistentHashRing<String> ring = ConsistentHashRing.build(NODES, name -> name);
    assertAll(RING_ROUTES.stream().map(route -> (Executable) () -> {
      assertEquals(route.hash(), ConsistentHashRing.hash(route.key()), "hash of '" + route.key() + "'");
      assertEquals(route.node(), ring.nameFor(route.key()), "node of '" + route.key() + "'");
    }));
  }

  @Test
  void theOrderOfTheServerListDoesNotMatter() {
    Map<String, Integer> reversed = new LinkedHashMap<>();
    reversed.put("cache3:11211", 2);
    reversed.put("cache2:11211", 1);
    reversed.put("cache1:11211", 1);
    ConsistentHashRing<String> ring = ConsistentHashRing.build(reversed, name -> name);
    assertAll(RING_ROUTES.stream().map(route -> (Executable) () ->
        assertEquals(route.node(), ring.nameFor(route.key()), "node of '" + route.key() + "'")));
  }

  @Test
  void theLocatorRoutesMemcachedKeysToFixedNodesAndIgnoresTheOutageTag() {
    RingSessionLocator locator = new RingSessionLocator(NODES);
    assertAll(RING_ROUTES.stream().filter(route -> route.key().indexOf('!') < 0).map(route -> (Executable) () -> {
      assertEquals(route.node(), locator.homeNodeName(route.key()), "node of '" + route.key() + "'");
      // A stand-in copy written during an outage routes like its key, not like the whole string.
      assertEquals(route.node(), locator.homeNodeName(route.key() + "!3f2a"), "node of '" + route.key() + "!3f2a'");
    }));
    assertEquals("cache2:11211", locator.homeNodeName("shop:orders:=order-1!3f2a"));
  }

  /**
   * End to end, from a cache's keys of several types: namespace {@code shop}, cache {@code orders},
   * nodes {@code 127.0.0.1:1,127.0.0.1:2,127.0.0.1:3*2}. Nothing listens on those ports: in
   * fail-fast mode a key's node is its ring node whether or not it is connected.
   */
  @Test
  void aCachesKeysRouteToFixedNodes() {
    URI uri = URI.create("memcached://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3*2?namespace=shop"
        + "&failureMode=fail-fast&connectTimeoutMillis=200");
    MemcachedCachingProvider provider = new MemcachedCachingProvider();
    try (CacheManager manager = provider.getCacheManager(uri, new ClassLoader(getClass().getClassLoader()) {})) {
      Cache<Object, String> cache = manager.createCache("orders", new MutableConfiguration<>());
      @SuppressWarnings("unchecked")
      MemcachedCache<Object, String> orders = cache.unwrap(MemcachedCache.class);
      Map<Object, String> golden = new LinkedHashMap<>();
      golden.put("order-0", "127.0.0.1:2");
      golden.put("order-1", "127.0.0.1:1");
      golden.put("order-2", "127.0.0.1:2");
      golden.put("order-3", "127.0.0.1:3");
      golden.put("order-4", "127.0.0.1:3");
      golden.put("order-5", "127.0.0.1:3");
      golden.put("order-6", "127.0.0.1:3");
      golden.put("order-7", "127.0.0.1:2");
      golden.put(42L, "127.0.0.1:3");
      golden.put(7, "127.0.0.1:2");
      golden.put("a b", "127.0.0.1:3");
      golden.put("x".repeat(300), "127.0.0.1:2"); // longer than memcached's 250 bytes: hashed
      assertAll(golden.entrySet().stream().map(e -> (Executable) () -> assertEquals(e.getValue(),
          orders.nodeOf(e.getKey()), "node of " + e.getKey().getClass().getSimpleName() + " " + abbreviated(e.getKey()))));
    } finally {
      provider.close();
    }
  }

  private static String abbreviated(Object key) {
    String text = key.toString();
    return text.length() > 20 ? text.substring(0, 20) + "... (" + text.length() + " chars)" : text;
  }
}
