package io.memjcache.sample.hibernate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.cache.CacheManager;
import org.hibernate.SessionFactory;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;

/**
 * One application node of the tests: its own SessionFactory, hence its own MemJCache
 * CacheManager and memcached client, on the shared memcached cluster and H2 database.
 *
 * <p>MemJCache keeps one CacheManager per (URI, ClassLoader), and Hibernate closes its
 * CacheManager when the SessionFactory closes. Two SessionFactories of one JVM given the same
 * {@code hibernate.javax.cache.uri} would share one manager, and closing the first would close the
 * second's. So each node is given its own copy of {@code memjcache.properties} (a distinct {@code
 * file:} URI), with the test cluster's {@code memjcache.servers} and the test class's namespace
 * appended: a separate manager and client, as in another JVM, reading the same configuration.
 */
final class LibraryNode implements AutoCloseable {

  private final String name;
  private final String configUri;
  private final SessionFactory sessionFactory;

  private LibraryNode(String name, String configUri, SessionFactory sessionFactory) {
    this.name = name;
    this.configUri = configUri;
    this.sessionFactory = sessionFactory;
  }

  /**
   * Starts a node.
   *
   * @param overrides extra lines for this node's copy of memjcache.properties (a later key wins)
   */
  static LibraryNode start(
      String name, Path dir, String servers, String namespace, String jdbcUrl, String... overrides) {
    String configUri = configCopy(dir, name, servers, namespace, overrides);
    return new LibraryNode(name, configUri, LibraryHibernate.sessionFactory(jdbcUrl, configUri));
  }

  /** A fresh, unique namespace for a test class. */
  static String namespaceFor(Class<?> testClass) {
    return testClass.getSimpleName() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A named in-memory H2 database that outlives its connections (shared by the nodes of a test class). */
  static String databaseFor(Class<?> testClass) {
    return "jdbc:h2:mem:" + namespaceFor(testClass) + ";DB_CLOSE_DELAY=-1";
  }

  /** Writes {@code <dir>/<node>-memjcache.properties}: the sample's file plus servers and namespace. */
  static String configCopy(Path dir, String node, String servers, String namespace, String... overrides) {
    StringBuilder text = new StringBuilder();
    try (InputStream in = LibraryNode.class.getClassLoader().getResourceAsStream("memjcache.properties")) {
      if (in == null) {
        throw new IllegalStateException("memjcache.properties is not on the class path");
      }
      text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      text.append("\n# Added by the test for node ").append(node).append('\n');
      text.append("memjcache.servers = ").append(servers).append('\n');
      text.append("memjcache.namespace = ").append(namespace).append('\n');
      for (String line : overrides) {
        text.append(line).append('\n');
      }
      Path file = dir.resolve(node + "-memjcache.properties");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file.toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return name;
  }

  String configUri() {
    return configUri;
  }

  SessionFactory sessionFactory() {
    return sessionFactory;
  }

  Statistics statistics() {
    return sessionFactory.getStatistics();
  }

  /** The JCache CacheManager Hibernate obtained from MemJCache for this node. */
  CacheManager cacheManager() {
    return ((JCacheRegionFactory)
            sessionFactory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory())
        .getCacheManager();
  }

  /** Persists an author with books of the given titles (genre FANTASY, year 1970); returns its id. */
  Long persistAuthor(String authorName, String... titles) {
    return sessionFactory.fromTransaction(session -> {
      Author author = new Author(authorName);
      for (String title : titles) {
        author.addBook(title, 1970, Genre.FANTASY);
      }
      session.persist(author);
      return author.getId();
    });
  }

  /** Adds a book to an author. */
  void addBook(Long authorId, String title) {
    sessionFactory.inTransaction(
        session -> session.find(Author.class, authorId).addBook(title, 1970, Genre.FANTASY));
  }

  /** Drops a database made by {@link #databaseFor}, once its SessionFactories are closed. */
  static void dropDatabase(String jdbcUrl) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot shut down " + jdbcUrl, e);
    }
  }

  @Override
  public void close() {
    sessionFactory.close();
  }

  @Override
  public String toString() {
    return "node " + name;
  }
}
