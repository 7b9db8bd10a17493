package io.memjcache.sample.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.SessionFactory;
import org.hibernate.stat.CacheRegionStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Hibernate settings the documentation shows are the ones this sample runs with, verbatim:
 * the READMEs and the provider's reference file give one value of {@code hibernate.javax.cache.uri},
 * the sample README's settings block is exactly {@link LibraryHibernate#cacheSettings}, and a
 * SessionFactory given exactly that value starts and caches on memcached.
 */
class DocumentedSettingsTest {

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(2);

  private static final Pattern CACHE_URI = Pattern.compile("hibernate\\.javax\\.cache\\.uri\\s*=\\s*([^\\s`)]+)");
  private static final Path REPOSITORY = Path.of("..", "..");

  @Test
  void everyDocumentShowsTheCacheUriThisSampleUses() throws IOException {
    Map<String, String> documents = new LinkedHashMap<>();
    documents.put("README.md", Files.readString(REPOSITORY.resolve("README.md")));
    documents.put("samples/hibernate/README.md", Files.readString(Path.of("README.md")));
    documents.put("memjcache-reference.properties (provider jar)", resource("memjcache-reference.properties"));
    documents.put("memjcache.properties (sample)", resource("memjcache.properties"));
    for (Map.Entry<String, String> document : documents.entrySet()) {
      Set<String> values = new TreeSet<>();
      Matcher matcher = CACHE_URI.matcher(document.getValue());
      while (matcher.find()) {
        values.add(matcher.group(1));
      }
      assertEquals(Set.of(LibraryHibernate.CACHE_URI), values,
          "values of hibernate.javax.cache.uri in " + document.getKey());
    }
  }

  @Test
  void theSampleReadmesSettingsBlockIsWhatTheSampleRunsWith() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```properties");
    assertTrue(start >= 0, "the sample README shows a properties block");
    int end = readme.indexOf("```", start + 3);
    Properties shown = new Properties();
    shown.load(new StringReader(readme.substring(readme.indexOf('\n', start) + 1, end)));
    Map<String, Object> used = new LinkedHashMap<>(LibraryHibernate.cacheSettings(LibraryHibernate.CACHE_URI));
    used.remove("hibernate.generate_statistics"); // for the tests' assertions; not a cache setting
    assertEquals(used, new LinkedHashMap<>(shown), "the README's block against LibraryHibernate.cacheSettings");
  }

  /** Each {@code memjcache.x = value} the sample README quotes is a line of the shipped file. */
  @Test
  void theMemjcacheSettingsTheSampleReadmeQuotesAreInTheShippedFile() throws IOException {
    String file = resource("memjcache.properties");
    Matcher quoted = Pattern.compile("`(memjcache\\.[^`\\s=]+ = [^`]+)`").matcher(Files.readString(Path.of("README.md")));
    int count = 0;
    while (quoted.find()) {
      assertTrue(file.lines().anyMatch(quoted.group(1)::equals), quoted.group(1) + " in memjcache.properties");
      count++;
    }
    assertTrue(count > 0, "settings quoted in the sample README");
  }

  /**
   * The documented value, as is: Hibernate resolves it through its class-loader service to the
   * file's URL, and MemJCache reads the regions from it (the servers from -Dmemjcache.servers, as
   * the file leaves them to the deployment).
   */
  @Test
  void aSessionFactoryGivenTheDocumentedCacheUriStartsAndCaches() {
    String database = LibraryNode.databaseFor(DocumentedSettingsTest.class);
    String before = System.setProperty("memjcache.servers", MEMCACHED.serverList());
    try (SessionFactory sessionFactory = LibraryHibernate.sessionFactory(database, LibraryHibernate.CACHE_URI)) {
      Long id = sessionFactory.fromTransaction(session -> {
        Author author = new Author("Octavia E. Butler");
        session.persist(author);
        return author.getId();
      });
      sessionFactory.getCache().evictEntityData(Author.class, id);
      sessionFactory.inTransaction(session -> session.find(Author.class, id)); // miss, then put
      sessionFactory.getStatistics().clear();
      String name = sessionFactory.fromTransaction(session -> session.find(Author.class, id).getName());
      assertEquals("Octavia E. Butler", name);
      CacheRegionStatistics region =
          sessionFactory.getStatistics().getDomainDataRegionStatistics(Author.class.getName());
      assertEquals(1, region.getHitCount(), "the second read is a hit in memcached");
      assertEquals(0, sessionFactory.getStatistics().getPrepareStatementCount(), "SQL statements");
    } finally {
      if (before == null) {
        System.clearProperty("memjcache.servers");
      } else {
        System.setProperty("memjcache.servers", before);
      }
      LibraryNode.dropDatabase(database);
    }
  }

  /** The form the READMEs warn against: Hibernate knows no {@code classpath:} scheme. */
  @Test
  void theSpringStyleClasspathUriFailsTheSessionFactory() {
    String database = LibraryNode.databaseFor(DocumentedSettingsTest.class);
    try {
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> LibraryHibernate.sessionFactory(database, "classpath:memjcache.properties").close());
      assertTrue(causes(e).contains("Couldn't load URI from classpath:memjcache.properties"), causes(e));
    } finally {
      LibraryNode.dropDatabase(database);
    }
  }

  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
    }
    return text.toString();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DocumentedSettingsTest.class.getClassLoader().getResourceAsStream(name)) {
      assertFalse(in == null, name + " on the class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
