package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.TouchedExpiryPolicy;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every {@link Cache} operation against three real memcached nodes. */
class MemcachedCacheTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  private CacheManager manager;
  private Cache<String, String> cache;

  @BeforeEach
  void open() {
    manager = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace());
    cache = manager.createCache("strings", new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class).setStatisticsEnabled(true));
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void putGetContainsAndMisses() {
    assertNull(cache.get("a"));
    assertFalse(cache.containsKey("a"));
    cache.put("a", "1");
    assertEquals("1", cache.get("a"));
    assertTrue(cache.containsKey("a"));
    cache.put("a", "2");
    assertEquals("2", cache.get("a"));
  }

  @Test
  void conditionalOperations() {
    assertTrue(cache.putIfAbsent("k", "v1"));
    assertFalse(cache.putIfAbsent("k", "v2"));
    assertEquals("v1", cache.get("k"));

    assertFalse(cache.replace("missing", "x"));
    assertTrue(cache.replace("k", "v3"));
    assertFalse(cache.replace("k", "wrong", "v4"));
    assertTrue(cache.replace("k", "v3", "v4"));
    assertEquals("v4", cache.get("k"));

    assertEquals("v4", cache.getAndReplace("k", "v5"));
    assertNull(cache.getAndReplace("missing", "x"));
    assertFalse(cache.containsKey("missing"));

    assertEquals("v5", cache.getAndPut("k", "v6"));
    assertNull(cache.getAndPut("new", "n1"));
    assertEquals("n1", cache.get("new"));

    assertFalse(cache.remove("k", "wrong"));
    assertTrue(cache.remove("k", "v6"));
    assertFalse(cache.containsKey("k"));
    assertFalse(cache.remove("k"));
    assertTrue(cache.remove("new"));

    cache.put("g", "gone");
    assertEquals("gone", cache.getAndRemove("g"));
    assertNull(cache.getAndRemove("g"));
  }

  @Test
  void bulkOperationsSpanEveryNode() {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      values.put("key" + i, "value" + i);
    }
    cache.putAll(values);
    Set<String> wanted = new HashSet<>(List.of("key1", "key150", "key299", "nope"));
    assertEquals(Map.of("key1", "value1", "key150", "value150", "key299", "value299"), cache.getAll(wanted));
    assertEquals(300, count(cache));
    for (int node = 0; node < CLUSTER.size(); node++) {
      assertTrue(CLUSTER.itemCount(node) > 50, "node " + node + " holds a share: " + CLUSTER.itemCount(node));
    }

    cache.removeAll(Set.of("key1", "key2", "nope"));
    assertFalse(cache.containsKey("key1"));
    assertEquals(298, count(cache));

    cache.removeAll();
    assertEquals(0, count(cache));
    assertEquals(0, cache.getAll(wanted).size());
  }

  @Test
  void iteratorReturnsEntriesAndRemoves() {
    cache.put("x", "1");
    cache.put("y", "2");
    Map<String, String> seen = new HashMap<>();
    for (Cache.Entry<String, String> e : cache) {
      seen.put(e.getKey(), e.getValue());
    }
    assertEquals(Map.of("x", "1", "y", "2"), seen);
    Iterator<Cache.Entry<String, String>> it = cache.iterator();
    assertThrows(IllegalStateException.class, it::remove);
    String removed = it.next().getKey();
    it.remove();
    assertFalse(cache.containsKey(removed));
    assertEquals(1, count(cache));
  }

  @Test
  void clearTouchesOnlyThisCache() {
    Cache<String, String> other = manager.createCache("other", new MutableConfiguration<String, String>());
    CacheManager otherApp = ClusterCaches.newManager(CLUSTER, ClusterCaches.uniqueNamespace());
    try {
      Cache<String, String> sameNameOtherApp = otherApp.createCache("strings", new MutableConfiguration<String, String>());
      cache.put("a", "mine");
      other.put("a", "theirs");
      sameNameOtherApp.put("a", "other application");
      cache.clear();
      assertFalse(cache.containsKey("a"));
      assertEquals("theirs", other.get("a"));
      assertEquals("other application", sameNameOtherApp.get("a"));
    } finally {
      otherApp.close();
    }
  }

  @Test
  void entryProcessorsReadModifyWrite() {
    cache.put("n", "1");
    String result = cache.invoke("n", (entry, args) -> {
      entry.setValue(String.valueOf(Integer.parseInt(entry.getValue()) + (Integer) args[0]));
      return entry.getValue();
    }, 41);
    assertEquals("42", result);
    assertEquals("42", cache.get("n"));

    Boolean exists = cache.invoke("absent", (entry, args) -> entry.exists());
    assertFalse(exists);
    cache.invoke("created", (entry, args) -> { entry.setValue("made"); return null; });
    assertEquals("made", cache.get("created"));
    cache.invoke("created", (entry, args) -> { entry.remove(); return null; });
    assertFalse(cache.containsKey("created"));

    EntryProcessorException failure = assertThrows(EntryProcessorException.class,
        () -> cache.invoke("n", (entry, args) -> { throw new IllegalStateException("boom"); }));
    assertTrue(failure.getCause() instanceof IllegalStateException);

    Map<String, EntryProcessorResult<String>> results =
        cache.invokeAll(Set.of("n", "absent"), (entry, args) -> entry.exists() ? entry.getValue() : null);
    assertEquals(Map.of("n", "42"), Map.of("n", results.get("n").get()));
    assertFalse(results.containsKey("absent"));
  }

  @Test
  void expiryIsEnforcedInMilliseconds() throws Exception {
    Cache<String, String> zero = manager.createCache("zero", new MutableConfiguration<String, String>()
        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(Duration.ZERO)));
    zero.put("a", "never stored");
    assertFalse(zero.containsKey("a"));
    assertEquals(0, count(zero));

    Cache<String, String> brief = manager.createCache("brief", new MutableConfiguration<String, String>()
        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 150))));
    brief.put("a", "short-lived");
    assertEquals("short-lived", brief.get("a"));
    Thread.sleep(250);
    assertNull(brief.get("a"), "expired after 150 ms, though memcached keeps it a little longer");
    assertFalse(brief.containsKey("a"));

    Cache<String, String> touched = manager.createCache("touched", new MutableConfiguration<String, String>()
        .setExpiryPolicyFactory(TouchedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, 1500))));
    touched.put("a", "kept alive");
    // 4 x 600 ms outlives one 1.5 s lifetime only if each access extends it; 900 ms of slack for
    // a busy machine.
    for (int i = 0; i < 4; i++) {
      Thread.sleep(600);
      assertEquals("kept alive", touched.get("a"), "each access extends the expiry");
    }
  }

  @Test
  void storesByValue() {
    Cache<String, ArrayList<String>> lists = manager.createCache("lists", new MutableConfiguration<String, ArrayList<String>>());
    ArrayList<String> list = new ArrayList<>(List.of("a"));
    lists.put("l", list);
    list.add("changed after put");
    ArrayList<String> read = lists.get("l");
    assertEquals(List.of("a"), read);
    read.add("changed after get");
    assertEquals(List.of("a"), lists.get("l"));
  }

  record Point(int x, int y) implements Serializable {}

  @Test
  void keysCompareByEquals() {
    Cache<Point, String> points = manager.createCache("points",
        new MemcachedConfiguration<Point, String>().setTypes(Point.class, String.class));
    points.put(new Point(1, 2), "p");
    assertEquals("p", points.get(new Point(1, 2)));
    assertEquals(Set.of(new Point(1, 2)), keys(points));
  }

  @Test
  void longKeysRoundTripAndIterate() {
    String longKey = "k".repeat(300);
    cache.put(longKey, "long");
    cache.put(longKey + "2", "long2");
    assertEquals("long", cache.get(longKey));
    assertEquals("long2", cache.get(longKey + "2"));
    assertEquals(Set.of(longKey, longKey + "2"), keys(cache));
    assertTrue(cache.remove(longKey));
    assertNull(cache.get(longKey));
  }

  @Test
  void oversizedValueIsRefusedClearlyAndChangesNothing() {
    cache.put("big", "small");
    String huge = "x".repeat(2 * 1024 * 1024);
    CacheException e = assertThrows(CacheException.class, () -> cache.put("big", huge));
    assertTrue(e.getMessage().contains("item size limit") && e.getMessage().contains("1048576"), e.getMessage());
    assertEquals("small", cache.get("big"));
  }

  @Test
  void nullsAndClosedCachesAreRefused() {
    assertThrows(NullPointerException.class, () -> cache.get(null));
    assertThrows(NullPointerException.class, () -> cache.put(null, "v"));
    assertThrows(NullPointerException.class, () -> cache.put("k", null));
    assertThrows(NullPointerException.class, () -> cache.putAll(java.util.Collections.singletonMap("k", null)));
    assertThrows(NullPointerException.class, () -> cache.replace("k", null, "v"));
    assertFalse(cache.containsKey("k"), "a refused putAll stores nothing");
    cache.close();
    assertTrue(cache.isClosed());
    assertThrows(IllegalStateException.class, () -> cache.get("k"));
    assertThrows(IllegalStateException.class, () -> cache.put("k", "v"));
  }

  @Test
  void nonSerializableValueIsRefusedNamingTheType() {
    Cache<String, Object> objects = manager.createCache("objects", new MutableConfiguration<String, Object>());
    // JCache's exception for a value the cache cannot store, as the README says; nothing is stored.
    CacheException e = assertThrows(CacheException.class, () -> objects.put("k", new Object()));
    assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    assertFalse(objects.containsKey("k"));

    objects.put("old", "intact");
    List<Object> holdsAnObject = new ArrayList<>(List.of("a", new Object()));
    for (Runnable write : List.<Runnable>of(
        () -> objects.put("old", holdsAnObject),
        () -> objects.getAndPut("old", new Object()),
        () -> objects.replace("old", new Object()),
        () -> objects.putAll(Map.of("old", new Object(), "other", "v")))) {
      CacheException refused = assertThrows(CacheException.class, write::run);
      assertTrue(refused.getMessage().contains("java.lang.Object"), refused.getMessage());
      assertEquals("intact", objects.get("old"));
      assertFalse(objects.containsKey("other"), "a refused putAll stores nothing");
    }
    assertThrows(CacheException.class, () -> objects.put(new Object().toString(), new Object()));
  }

  @Test
  void statisticsCountThisJvmsOperations() {
    cache.put("a", "1");
    cache.get("a");
    cache.get("b");
    cache.remove("a");
    MemcachedCache<?, ?> unwrapped = cache.unwrap(MemcachedCache.class);
    assertEquals(1, unwrapped.statistics().getCachePuts());
    assertEquals(1, unwrapped.statistics().getCacheHits());
    assertEquals(1, unwrapped.statistics().getCacheMisses());
    assertEquals(1, unwrapped.statistics().getCacheRemovals());
  }

  static int count(Cache<?, ?> cache) {
    int n = 0;
    for (Cache.Entry<?, ?> ignored : cache) {
      n++;
    }
    return n;
  }

  static <K> Set<K> keys(Cache<K, ?> cache) {
    Set<K> keys = new HashSet<>();
    for (Cache.Entry<K, ?> e : cache) {
      keys.add(e.getKey());
    }
    return keys;
  }
}
