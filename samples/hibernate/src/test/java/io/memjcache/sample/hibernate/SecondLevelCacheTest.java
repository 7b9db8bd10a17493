package io.memjcache.sample.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memjcache.testing.MemcachedCluster;
import java.nio.file.Path;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.stat.CacheRegionStatistics;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hibernate's second-level cache on MemJCache in one application node: entity, collection and
 * query caching, observed through Hibernate's {@link Statistics}.
 */
class SecondLevelCacheTest {

  static final String AUTHOR_REGION = "io.memjcache.sample.hibernate.Author";
  static final String BOOKS_ROLE = "io.memjcache.sample.hibernate.Author.books";
  static final String QUERY_REGION = "default-query-results-region";

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  @TempDir static Path dir;

  static final String DATABASE = LibraryNode.databaseFor(SecondLevelCacheTest.class);
  static LibraryNode node;
  static SessionFactory sessionFactory;
  static Statistics statistics;

  @BeforeAll
  static void start() {
    node = LibraryNode.start(
        "a", dir, MEMCACHED.serverList(), LibraryNode.namespaceFor(SecondLevelCacheTest.class), DATABASE);
    sessionFactory = node.sessionFactory();
    statistics = node.statistics();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    LibraryNode.dropDatabase(DATABASE);
  }

  @BeforeEach
  void clearStatistics() {
    statistics.clear();
  }

  @Test
  void aSecondSessionLoadsTheEntityFromTheCacheWithoutSql() {
    Long id = node.persistAuthor("Ursula K. Le Guin");
    sessionFactory.getCache().evictEntityData(Author.class, id);
    statistics.clear();

    String name = sessionFactory.fromTransaction(session -> session.find(Author.class, id).getName());

    assertEquals("Ursula K. Le Guin", name);
    CacheRegionStatistics region = statistics.getDomainDataRegionStatistics(AUTHOR_REGION);
    assertEquals(0, region.getHitCount(), "hits");
    assertEquals(1, region.getMissCount(), "misses");
    assertEquals(1, region.getPutCount(), "puts: the loaded entity goes to the cache");
    assertEquals(1, statistics.getPrepareStatementCount(), "SQL statements");

    statistics.clear();
    name = sessionFactory.fromTransaction(session -> session.find(Author.class, id).getName());

    assertEquals("Ursula K. Le Guin", name);
    region = statistics.getDomainDataRegionStatistics(AUTHOR_REGION);
    assertEquals(1, region.getHitCount(), "hits");
    assertEquals(0, region.getMissCount(), "misses");
    assertEquals(0, region.getPutCount(), "puts");
    assertEquals(0, statistics.getPrepareStatementCount(), "SQL statements: none, the entity came from memcached");
  }

  @Test
  void aCachedCollectionIsReadWithItsElementsWithoutSql() {
    Long id = node.persistAuthor("Octavia E. Butler", "Kindred", "Parable of the Sower", "Dawn");
    statistics.clear();

    List<String> titles = titlesOf(id);

    assertEquals(List.of("Kindred", "Parable of the Sower", "Dawn"), titles);
    assertEquals(0, statistics.getCollectionStatistics(BOOKS_ROLE).getCacheHitCount(), "collection hits");
    assertEquals(1, statistics.getCollectionStatistics(BOOKS_ROLE).getCacheMissCount(), "collection misses");
    assertEquals(1, statistics.getCollectionStatistics(BOOKS_ROLE).getCachePutCount(), "collection puts");
    assertEquals(1, statistics.getPrepareStatementCount(), "SQL statements: the collection's");

    statistics.clear();
    titles = titlesOf(id);

    assertEquals(List.of("Kindred", "Parable of the Sower", "Dawn"), titles);
    assertEquals(1, statistics.getCollectionStatistics(BOOKS_ROLE).getCacheHitCount(), "collection hits");
    assertEquals(0, statistics.getCollectionStatistics(BOOKS_ROLE).getCacheMissCount(), "collection misses");
    assertEquals(3, statistics.getEntityStatistics(Book.class.getName()).getCacheHitCount(), "book hits");
    assertEquals(0, statistics.getPrepareStatementCount(), "SQL statements: author, collection and books all came from memcached");
  }

  @Test
  void aCachedQueryIsAnsweredFromTheQueryCache() {
    Long id = node.persistAuthor("Stanisław Lem", "Solaris", "The Cyberiad");
    statistics.clear();

    assertEquals(List.of("Solaris", "The Cyberiad"), cachedTitlesQuery(id));

    CacheRegionStatistics region = statistics.getQueryRegionStatistics(QUERY_REGION);
    assertEquals(0, statistics.getQueryCacheHitCount(), "query cache hits");
    assertEquals(1, statistics.getQueryCacheMissCount(), "query cache misses");
    assertEquals(1, statistics.getQueryCachePutCount(), "query cache puts");
    assertEquals(1, region.getPutCount(), "puts in " + QUERY_REGION);
    assertEquals(1, statistics.getPrepareStatementCount(), "SQL statements");

    statistics.clear();
    assertEquals(List.of("Solaris", "The Cyberiad"), cachedTitlesQuery(id));

    region = statistics.getQueryRegionStatistics(QUERY_REGION);
    assertEquals(1, statistics.getQueryCacheHitCount(), "query cache hits");
    assertEquals(0, statistics.getQueryCacheMissCount(), "query cache misses");
    assertEquals(1, region.getHitCount(), "hits in " + QUERY_REGION);
    assertEquals(0, statistics.getPrepareStatementCount(), "SQL statements: none");
  }

  /** Hibernate 7 keeps the state of the queried entities in the query results region itself. */
  @Test
  void aCachedEntityQueryReturnsEntitiesWithoutSql() {
    Long id = node.persistAuthor("Italo Calvino", "Invisible Cities", "Cosmicomics");
    String hql = "from Book b where b.author.id = :id order by b.id";
    sessionFactory.inTransaction(
        session -> session.createQuery(hql, Book.class).setParameter("id", id).setCacheable(true).getResultList());
    statistics.clear();

    List<String> titles = sessionFactory.fromTransaction(
        session -> session.createQuery(hql, Book.class).setParameter("id", id).setCacheable(true)
            .getResultList().stream().map(Book::getTitle).toList());

    assertEquals(List.of("Invisible Cities", "Cosmicomics"), titles);
    assertEquals(1, statistics.getQueryCacheHitCount(), "query cache hits");
    assertEquals(0, statistics.getPrepareStatementCount(), "SQL statements: none");
  }

  @Test
  void aWriteToAQueriedTableMakesTheCachedResultStale() {
    Long id = node.persistAuthor("Jorge Luis Borges", "Ficciones");
    assertEquals(List.of("Ficciones"), cachedTitlesQuery(id));
    assertEquals(List.of("Ficciones"), cachedTitlesQuery(id));
    assertEquals(1, statistics.getQueryCacheHitCount(), "query cache hits");

    node.addBook(id, "The Aleph");
    statistics.clear();

    assertEquals(List.of("Ficciones", "The Aleph"), cachedTitlesQuery(id));
    assertEquals(0, statistics.getQueryCacheHitCount(), "query cache hits: the cached result predates the insert");
    assertEquals(1, statistics.getQueryCacheMissCount(), "query cache misses");
    assertEquals(1, statistics.getPrepareStatementCount(), "SQL statements: the query ran again");
  }

  private static List<String> titlesOf(Long authorId) {
    return sessionFactory.fromTransaction(session -> session.find(Author.class, authorId)
        .getBooks().stream().map(Book::getTitle).toList());
  }

  private static List<String> cachedTitlesQuery(Long authorId) {
    return sessionFactory.fromTransaction(session -> session
        .createQuery("select b.title from Book b where b.author.id = :id order by b.title", String.class)
        .setParameter("id", authorId)
        .setCacheable(true)
        .getResultList());
  }
}
