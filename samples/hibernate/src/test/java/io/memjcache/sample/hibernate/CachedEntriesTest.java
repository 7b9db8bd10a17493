package io.memjcache.sample.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.TypedValue;
import org.hibernate.type.Type;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything Hibernate stores in its regions round-trips through MemJCache's codec and the
 * sample's deserialization allowlist, and nothing more is allowed.
 */
class CachedEntriesTest {

  static final String QUERY_REGION = "default-query-results-region";
  static final String TIMESTAMPS_REGION = "default-update-timestamps-region";

  /** What the regions hold once Hibernate has cached, updated and queried the model. */
  static final Map<String, Set<String>> EXPECTED_VALUE_TYPES = Map.of(
      Author.class.getName(), Set.of("org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl"),
      Author.class.getName() + ".books", Set.of("org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl"),
      Book.class.getName(), Set.of("org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl"),
      QUERY_REGION, Set.of("org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem"),
      TIMESTAMPS_REGION, Set.of("java.lang.Long"));

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  @TempDir static Path dir;

  static LibraryPair nodes;
  static LibraryNode a;
  static LibraryNode b;

  @BeforeAll
  static void start() {
    nodes = LibraryPair.start(CachedEntriesTest.class, dir, MEMCACHED.serverList());
    a = nodes.a();
    b = nodes.b();
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void everyEntryHibernateStoresIsReadBackByAnotherNode() {
    Long id = a.persistAuthor("Ursula K. Le Guin", "A Wizard of Earthsea", "The Left Hand of Darkness");
    for (LibraryNode node : List.of(a, b, a)) {
      node.sessionFactory().inTransaction(session -> {
        session.find(Author.class, id).getBooks().size();
        session.createQuery("select b.title from Book b where b.author.id = :id", String.class)
            .setParameter("id", id).setCacheable(true).getResultList();
        session.createQuery("from Book b where b.genre in :genres", Book.class)
            .setParameter("genres", List.of(Genre.FANTASY, Genre.ESSAY)).setCacheable(true).getResultList();
        session.createQuery("select b.genre, count(b) from Book b group by b.genre", Object[].class)
            .setCacheable(true).getResultList();
      });
    }
    // While a transaction that changed them is open, entities and collections are soft-locked in
    // the cache (and a changed collection stays locked for a while after): node b reads a's locks
    // once its near cache no longer answers for these entries.
    a.sessionFactory().inTransaction(session -> {
      Author author = session.find(Author.class, id);
      author.setName("U. K. Le Guin");
      author.getBooks().get(0).setTitle("Earthsea");
      author.addBook("The Dispossessed", 1974, Genre.SCIENCE_FICTION);
      session.flush();
      sleep(TwoNodesTest.NEAR_CACHE_STALENESS.plusMillis(100));
      Map<String, Set<String>> inFlight = readEveryEntry(b.cacheManager());
      assertTrue(inFlight.get(Author.class.getName()).contains(
          "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl"), "a lock on the author: " + inFlight);
    });

    Map<String, Set<String>> found = readEveryEntry(b.cacheManager());

    assertEquals(EXPECTED_VALUE_TYPES.keySet(), found.keySet(), "regions with entries");
    found.forEach((region, types) -> assertTrue(EXPECTED_VALUE_TYPES.get(region).containsAll(types),
        region + " holds " + types));
    assertEquals("U. K. Le Guin",
        b.sessionFactory().fromTransaction(session -> session.find(Author.class, id).getName()));
  }

  @Test
  void aHibernateClassOffTheAllowlistIsRefused() {
    // A cache of its own, with the same allowlist as the entity regions, so no region is touched.
    Cache<Object, Object> cache = a.cacheManager().createCache("planted", new MutableConfiguration<>());
    try {
      Type stringType = a.sessionFactory().unwrap(SessionFactoryImplementor.class)
          .getTypeConfiguration().getBasicTypeForJavaType(String.class);
      cache.put("typed value", new TypedValue(stringType, "x"));

      CacheException refused = assertThrows(CacheException.class, () -> cache.get("typed value"));
      assertTrue(refused.getMessage().contains("refused to deserialize org.hibernate.engine.spi.TypedValue"),
          refused.getMessage());
    } finally {
      a.cacheManager().destroyCache("planted");
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Reads every entry of every region through {@code manager}: each key and value deserializes,
   * and each key, serialized again, finds its entry. Returns the value types found per region.
   */
  private static Map<String, Set<String>> readEveryEntry(CacheManager manager) {
    Map<String, Set<String>> types = new TreeMap<>();
    for (String name : manager.getCacheNames()) {
      Cache<Object, Object> cache = manager.getCache(name);
      for (Cache.Entry<Object, Object> entry : cache) {
        assertNotNull(entry.getKey(), name);
        assertNotNull(entry.getValue(), name);
        assertNotNull(cache.get(entry.getKey()), name + ": key " + entry.getKey() + " finds its entry again");
        types.computeIfAbsent(name, n -> new TreeSet<>()).add(entry.getValue().getClass().getName());
      }
    }
    return types;
  }
}
