package io.memjcache.sample.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two application nodes, each with its own SessionFactory, CacheManager and memcached client, on
 * one memcached cluster and one database: what one node caches or changes, the other sees.
 */
class TwoNodesTest {

  /** memjcache.properties: memjcache.cache.default.nearCache.staleness. */
  static final Duration NEAR_CACHE_STALENESS = Duration.ofMillis(500);

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  @TempDir static Path dir;

  static LibraryPair nodes;
  static LibraryNode a;
  static LibraryNode b;

  @BeforeAll
  static void start() {
    nodes = LibraryPair.start(TwoNodesTest.class, dir, MEMCACHED.serverList());
    a = nodes.a();
    b = nodes.b();
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @BeforeEach
  void clearStatistics() {
    a.statistics().clear();
    b.statistics().clear();
  }

  @Test
  void eachNodeHasItsOwnCacheManager() {
    assertNotSame(a.cacheManager(), b.cacheManager());
    assertNotEquals(a.cacheManager().getURI(), b.cacheManager().getURI());
    // Hibernate resolved hibernate.javax.cache.uri to the node's own file.
    assertEquals(Path.of(URI.create(a.configUri())), Path.of(a.cacheManager().getURI()));
    assertEquals(Path.of(URI.create(b.configUri())), Path.of(b.cacheManager().getURI()));
  }

  @Test
  void anEntityCachedByOneNodeIsAHitOnTheOther() {
    Long id = a.persistAuthor("Ursula K. Le Guin", "The Dispossessed");

    String name = b.sessionFactory().fromTransaction(session -> session.find(Author.class, id).getName());

    assertEquals("Ursula K. Le Guin", name);
    assertEquals(1, b.statistics().getDomainDataRegionStatistics(Author.class.getName()).getHitCount(), "hits on b");
    assertEquals(0, b.statistics().getPrepareStatementCount(), "SQL statements on b: none, node a cached the author");
  }

  @Test
  void anUpdateOnOneNodeIsSeenByTheOtherFromTheCache() {
    Long id = a.persistAuthor("Octavia Butler", "Kindred");
    assertEquals("Octavia Butler", nameOnB(id)); // now in b's near cache too

    a.sessionFactory().inTransaction(session -> session.find(Author.class, id).setName("Octavia E. Butler"));

    // b's near cache may serve the old name for at most its staleness bound; then b reads what
    // node a put in memcached.
    long started = System.nanoTime();
    String seen = awaitOnB(() -> nameOnB(id), "Octavia E. Butler");
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertEquals("Octavia E. Butler", seen);
    assertTrue(took.compareTo(NEAR_CACHE_STALENESS.plusSeconds(2)) < 0, "seen after " + took);

    b.statistics().clear();
    assertEquals("Octavia E. Butler", nameOnB(id));
    assertEquals(1, b.statistics().getDomainDataRegionStatistics(Author.class.getName()).getHitCount(), "hits on b");
    assertEquals(0, b.statistics().getPrepareStatementCount(), "SQL statements on b: none, the new state is in the cache");
  }

  @Test
  void aBookAddedOnOneNodeIsInTheCollectionOnTheOther() {
    Long id = a.persistAuthor("Stanisław Lem", "Solaris");
    assertEquals(List.of("Solaris"), titlesOnB(id));
    assertEquals(List.of("Solaris"), titlesOnB(id));
    assertEquals(1, b.statistics().getCollectionStatistics(Author.class.getName() + ".books").getCacheHitCount());

    a.addBook(id, "The Cyberiad");

    assertEquals(List.of("Solaris", "The Cyberiad"), awaitOnB(() -> titlesOnB(id), List.of("Solaris", "The Cyberiad")));
  }

  @Test
  void aWriteOnOneNodeMakesTheOtherNodesCachedQueryStaleAtOnce() {
    a.persistAuthor("Jorge Luis Borges", "Ficciones");
    long before = countBooksOnB();
    assertEquals(before, countBooksOnB());
    assertEquals(1, b.statistics().getQueryCacheHitCount(), "query cache hits on b");

    a.persistAuthor("Italo Calvino", "Invisible Cities");
    b.statistics().clear();

    // No waiting: the update timestamps region is never near-cached, so b sees node a's write
    // to the book table on its very next query.
    assertEquals(before + 1, countBooksOnB());
    assertEquals(0, b.statistics().getQueryCacheHitCount(), "query cache hits on b: the cached count is stale");
    assertEquals(1, b.statistics().getQueryCacheMissCount(), "query cache misses on b");
    assertEquals(1, b.statistics().getPrepareStatementCount(), "SQL statements on b: the query ran again");
  }

  private static String nameOnB(Long id) {
    return b.sessionFactory().fromTransaction(session -> session.find(Author.class, id).getName());
  }

  private static List<String> titlesOnB(Long id) {
    return b.sessionFactory().fromTransaction(
        session -> session.find(Author.class, id).getBooks().stream().map(Book::getTitle).toList());
  }

  private static long countBooksOnB() {
    return b.sessionFactory().fromTransaction(
        session -> session.createQuery("select count(b) from Book b", Long.class).setCacheable(true).getSingleResult());
  }

  /** Reads on node b until it returns {@code expected}, for at most the near-cache staleness and 5 s. */
  private static <T> T awaitOnB(Supplier<T> read, T expected) {
    long deadline = System.nanoTime() + NEAR_CACHE_STALENESS.plusSeconds(5).toNanos();
    T value = read.get();
    while (!value.equals(expected) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      value = read.get();
    }
    return value;
  }
}
