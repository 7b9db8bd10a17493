package io.memjcache.sample.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.memjcache.testing.MemcachedCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why {@code default-update-timestamps-region} must never be near-cached: the same two nodes as
 * {@link TwoNodesTest}, misconfigured with a near cache on that region, serve a stale query result
 * after another node's write (compare {@link TwoNodesTest#aWriteOnOneNodeMakesTheOtherNodesCachedQueryStaleAtOnce}).
 */
class NearCachedTimestampsTest {

  /** The misconfiguration, appended to each node's copy of memjcache.properties. */
  static final String[] NEAR_CACHED_TIMESTAMPS = {
    "memjcache.cache.default-update-timestamps-region.nearCache.maxEntries = 1000",
    "memjcache.cache.default-update-timestamps-region.nearCache.staleness = 10m"
  };

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(2);

  @TempDir static Path dir;

  static LibraryPair nodes;
  static LibraryNode a;
  static LibraryNode b;

  @BeforeAll
  static void start() {
    nodes = LibraryPair.start(NearCachedTimestampsTest.class, dir, MEMCACHED.serverList(), NEAR_CACHED_TIMESTAMPS);
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
  void aNearCachedTimestampLetsANodeServeAStaleQueryResult() {
    a.persistAuthor("Jorge Luis Borges", "Ficciones"); // the book table's timestamp is now in memcached
    long before = countBooks(b); // b caches the result
    assertEquals(before, countBooks(b)); // b checks the book table's timestamp: now in b's near cache

    a.persistAuthor("Italo Calvino", "Invisible Cities"); // a new timestamp in memcached

    b.statistics().clear();
    assertEquals(before, countBooks(b), "b serves the count from before a's insert");
    assertEquals(1, b.statistics().getQueryCacheHitCount(), "query cache hits on b");
    assertEquals(0, b.statistics().getPrepareStatementCount(), "SQL statements on b");
    assertEquals(before + 1, countBooks(a), "a, which wrote, is right");
  }

  private static long countBooks(LibraryNode node) {
    return node.sessionFactory().fromTransaction(
        session -> session.createQuery("select count(b) from Book b", Long.class).setCacheable(true).getSingleResult());
  }
}
