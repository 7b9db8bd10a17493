package io.memjcache.sample.hibernate;

import java.nio.file.Path;

/**
 * Two application nodes ({@code a} and {@code b}) of one test class: one memcached namespace, one
 * database, a SessionFactory and CacheManager each. Closing stops both and drops the database.
 */
record LibraryPair(LibraryNode a, LibraryNode b, String database) implements AutoCloseable {

  static LibraryPair start(Class<?> testClass, Path dir, String servers, String... overrides) {
    String namespace = LibraryNode.namespaceFor(testClass);
    String database = LibraryNode.databaseFor(testClass);
    LibraryNode a = LibraryNode.start("a", dir, servers, namespace, database, overrides);
    try {
      return new LibraryPair(a, LibraryNode.start("b", dir, servers, namespace, database, overrides), database);
    } catch (RuntimeException e) {
      a.close();
      LibraryNode.dropDatabase(database);
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      b.close();
    } finally {
      try {
        a.close();
      } finally {
        LibraryNode.dropDatabase(database);
      }
    }
  }
}
