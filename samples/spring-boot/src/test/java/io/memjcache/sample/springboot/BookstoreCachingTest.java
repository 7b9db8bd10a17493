package io.memjcache.sample.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.cache.support.NullValue;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The bookstore on a real 3-node memcached cluster: Spring's {@code @Cacheable}, {@code @CachePut}
 * and {@code @CacheEvict} through MemJCache, checked from a second, independent CacheManager (as
 * another instance of the application would see the cache) and through Actuator's metrics.
 */
@SpringBootTest
@AutoConfigureMockMvc
@DirtiesContext // the context talks to this class's memcached nodes: close it with them
class BookstoreCachingTest {

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  /** This run's own key prefix: parallel runs on the same nodes would not see each other. */
  static final String NAMESPACE = "bookstore-test-" + UUID.randomUUID();

  static final String DUNE = "978-0441172719";
  static final String MESSIAH = "978-0441104024";
  static final String EARTHSEA = "978-0547773742";
  static final String HYPERION = "978-0553283686";
  static final String ENDER = "978-0812550702";
  static final String NEUROMANCER = "978-0441569595";
  static final String UNKNOWN = "978-0000000000";

  /** Another JVM's view of the same caches: a CacheManager of its own on the same cluster. */
  static CacheManager otherInstance;

  @Autowired BookService books;
  @Autowired BookRepository repository;
  @Autowired MockMvc mvc;

  @DynamicPropertySource
  static void memcached(DynamicPropertyRegistry registry) {
    // Read when the context starts, after the extension started the nodes.
    registry.add("memjcache.servers", MEMCACHED::serverList);
    registry.add("memjcache.namespace", () -> NAMESPACE);
  }

  @BeforeAll
  static void openOtherInstance() {
    URI uri = URI.create("memcached://" + MEMCACHED.serverList() + "?namespace=" + NAMESPACE
        + "&deserialization.allowlist=io.memjcache.sample.springboot.**");
    otherInstance = Caching.getCachingProvider(MemcachedCachingProvider.class.getName())
        .getCacheManager(uri, new ClassLoader(BookstoreCachingTest.class.getClassLoader()) {});
    // createCache of a name in use on the cluster joins that cache's entries.
    otherInstance.createCache("books", new MutableConfiguration<Object, Object>());
    otherInstance.createCache("booksByAuthor", new MutableConfiguration<Object, Object>());
  }

  @AfterAll
  static void closeOtherInstance() {
    if (otherInstance != null) {
      otherInstance.close();
    }
  }

  static Cache<Object, Object> remote(String cache) {
    return otherInstance.getCache(cache);
  }

  @Test
  void secondCallIsServedFromMemcachedWhereAnotherInstanceSeesTheEntry() {
    int reads = repository.reads();
    Book first = books.find(DUNE);
    Book second = books.find(DUNE);

    assertThat(first.title()).isEqualTo("Dune");
    assertThat(second).isEqualTo(first);
    assertThat(repository.reads()).as("the second call is a cache hit").isEqualTo(reads + 1);
    // Spring's key for a one-argument method is the argument itself.
    assertThat(remote("books").get(DUNE)).isEqualTo(first);
  }

  @Test
  void anEntryWrittenByAnotherInstanceIsServedHere() {
    Book fromElsewhere = new Book(HYPERION, "Hyperion (cached elsewhere)", "Dan Simmons", 1989);
    remote("books").put(HYPERION, fromElsewhere);
    int reads = repository.reads();

    assertThat(books.find(HYPERION)).isEqualTo(fromElsewhere);
    assertThat(repository.reads()).isEqualTo(reads);
  }

  @Test
  void cacheEvictRemovesTheEntryFromMemcached() {
    books.find(MESSIAH);
    assertThat(remote("books").containsKey(MESSIAH)).isTrue();

    books.delete(MESSIAH);

    assertThat(remote("books").containsKey(MESSIAH)).isFalse();
    assertThat(remote("books").get(MESSIAH)).isNull();
    int reads = repository.reads();
    assertThat(books.find(MESSIAH)).isNull();
    assertThat(repository.reads()).as("evicted: the repository is asked again").isEqualTo(reads + 1);
  }

  @Test
  void cachePutReplacesTheCachedEntry() {
    Book original = books.find(ENDER);
    Book revised = new Book(ENDER, "Ender's Game (revised)", original.author(), 1991);

    books.save(revised);

    int reads = repository.reads();
    assertThat(books.find(ENDER)).isEqualTo(revised);
    assertThat(repository.reads()).as("served from the updated entry").isEqualTo(reads);
    assertThat(remote("books").get(ENDER)).isEqualTo(revised);
  }

  @Test
  void nullIsCachedAsSpringsNullValue() {
    int reads = repository.reads();
    assertThat(books.find(UNKNOWN)).isNull();
    assertThat(books.find(UNKNOWN)).isNull();

    assertThat(repository.reads()).as("a cached null is a hit").isEqualTo(reads + 1);
    assertThat(remote("books").get(UNKNOWN)).isSameAs(NullValue.INSTANCE);
  }

  @Test
  void multiArgumentMethodIsKeyedBySimpleKeyAndEvictAllEntriesClearsIt() {
    int reads = repository.reads();
    List<Book> first = books.byAuthor("Ursula K. Le Guin", 1969);
    List<Book> second = books.byAuthor("Ursula K. Le Guin", 1969);

    assertThat(first).extracting(Book::title).containsExactly("The Left Hand of Darkness", "The Dispossessed");
    assertThat(second).isEqualTo(first);
    assertThat(repository.reads()).isEqualTo(reads + 1);
    SimpleKey key = new SimpleKey("Ursula K. Le Guin", 1969);
    assertThat(remote("booksByAuthor").get(key)).isEqualTo(first);

    // save() evicts allEntries of booksByAuthor: JCache removeAll(), which reads the SimpleKey keys back.
    books.save(new Book("978-0060976538", "Always Coming Home", "Ursula K. Le Guin", 1985));

    assertThat(remote("booksByAuthor").containsKey(key)).isFalse();
    assertThat(books.byAuthor("Ursula K. Le Guin", 1969)).extracting(Book::title)
        .containsExactly("The Left Hand of Darkness", "The Dispossessed", "Always Coming Home");
    assertThat(repository.reads()).isEqualTo(reads + 2);
  }

  @Test
  void cacheMetricsAreVisibleThroughActuator() throws Exception {
    double hits = cacheGets("hit");
    double misses = cacheGets("miss");

    mvc.perform(get("/books/{isbn}", NEUROMANCER)).andExpect(status().isOk())
        .andExpect(jsonPath("$.title").value("Neuromancer"));
    mvc.perform(get("/books/{isbn}", NEUROMANCER)).andExpect(status().isOk());
    mvc.perform(get("/books/{isbn}", EARTHSEA)).andExpect(status().isOk());

    assertThat(cacheGets("hit")).isEqualTo(hits + 1);
    assertThat(cacheGets("miss")).isEqualTo(misses + 2);
  }

  /** {@code cache.gets} of the books cache with tag result=hit or result=miss. */
  private double cacheGets(String result) throws Exception {
    String body = mvc.perform(get("/actuator/metrics/cache.gets")
            .queryParam("tag", "cache:books", "result:" + result))
        .andExpect(status().isOk())
        .andReturn().getResponse().getContentAsString();
    return JsonPath.<Number>read(body, "$.measurements[0].value").doubleValue();
  }
}
