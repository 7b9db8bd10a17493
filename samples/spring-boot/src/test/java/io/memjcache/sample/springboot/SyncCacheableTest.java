package io.memjcache.sample.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import io.memjcache.testing.MemcachedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * Two instances of the bookstore (two application contexts, each with a CacheManager of its own, as
 * two JVMs would have) on one memcached cluster: 50 concurrent requests for one book that no
 * cache holds yet.
 */
class SyncCacheableTest {

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  static final String NAMESPACE = "bookstore-sync-" + UUID.randomUUID();
  static final int REQUESTS = 50;

  static ConfigurableApplicationContext first;
  static ConfigurableApplicationContext second;

  @BeforeAll
  static void startTwoInstances() {
    first = instance();
    second = instance();
  }

  @AfterAll
  static void stopThem() {
    for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {first, second}) {
      if (context != null) {
        context.close();
      }
    }
  }

  /** One instance of the application; its own class loader gives it its own JCache CacheManager. */
  static ConfigurableApplicationContext instance() {
    ClassLoader own = new ClassLoader(SyncCacheableTest.class.getClassLoader()) {};
    return new SpringApplicationBuilder(BookstoreApplication.class)
        .resourceLoader(new DefaultResourceLoader(own))
        .web(WebApplicationType.NONE)
        .run("--memjcache.servers=" + MEMCACHED.serverList(), "--memjcache.namespace=" + NAMESPACE);
  }

  /** REQUESTS concurrent calls, half through each instance; the repository reads of both together. */
  static int repositoryReadsFor(Function<BookService, Book> call, String expectedTitle) throws Exception {
    BookService[] services = {first.getBean(BookService.class), second.getBean(BookService.class)};
    BookRepository[] repositories = {first.getBean(BookRepository.class), second.getBean(BookRepository.class)};
    int before = repositories[0].reads() + repositories[1].reads();
    ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
    try {
      long startAt = System.currentTimeMillis() + 300;
      List<Future<Book>> answers = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        BookService service = services[i % 2];
        answers.add(pool.submit(() -> {
          Thread.sleep(Math.max(0, startAt - System.currentTimeMillis()));
          return call.apply(service);
        }));
      }
      for (Future<Book> answer : answers) {
        assertThat(answer.get(60, TimeUnit.SECONDS).title()).isEqualTo(expectedTitle);
      }
    } finally {
      pool.shutdownNow();
    }
    return repositories[0].reads() + repositories[1].reads() - before;
  }

  @Test
  void cacheableWithSyncCallsTheRepositoryOnceAcrossBothInstances() throws Exception {
    int reads = repositoryReadsFor(service -> service.findOnce("978-0441172719"), "Dune");
    System.out.printf("[sync] @Cacheable(sync = true), %d concurrent requests over 2 instances: %d repository read(s)%n",
        REQUESTS, reads);
    assertThat(reads).isEqualTo(1);
  }

  /**
   * Without {@code sync}, Spring reads the cache and, on a miss, calls the method and puts the
   * result: every request that missed calls the repository. Documented, not a defect: the
   * README's "Stampede protection" says to use {@code sync = true} for hot keys.
   */
  @Test
  void plainCacheableCallsTheRepositoryForEveryRequestThatMissed() throws Exception {
    int reads = repositoryReadsFor(service -> service.find("978-0553283686"), "Hyperion");
    System.out.printf("[sync] plain @Cacheable, %d concurrent requests over 2 instances: %d repository read(s)%n",
        REQUESTS, reads);
    assertThat(reads).isGreaterThan(1).isLessThanOrEqualTo(REQUESTS);
  }
}
