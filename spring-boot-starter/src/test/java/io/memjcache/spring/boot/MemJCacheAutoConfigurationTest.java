package io.memjcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.memjcache.MemcachedCache;
import io.memjcache.MemcachedCacheManager;
import io.memjcache.config.ClientSettings;
import io.memjcache.testing.MemcachedCluster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.cache.Cache;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.JCacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter in application contexts on a real 3-node memcached cluster. */
@SuppressWarnings("unchecked")
class MemJCacheAutoConfigurationTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(3);

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class CachingApplication {}

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemJCacheAutoConfiguration.class, CacheAutoConfiguration.class,
            MemJCacheHealthAutoConfiguration.class, HealthContributorAutoConfiguration.class,
            HealthContributorRegistryAutoConfiguration.class, MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
            CacheMetricsAutoConfiguration.class, MemJCacheMetricsAutoConfiguration.class))
        .withUserConfiguration(CachingApplication.class)
        .withPropertyValues("memjcache.servers=" + CLUSTER.serverList(), "memjcache.namespace=" + uniqueNamespace());
  }

  @Test
  void everyClientSettingIsBoundFromSpringProperties() {
    runner().withPropertyValues(
            "memjcache.operation-timeout=1500ms",
            "memjcache.connect-timeout=3s",
            "memjcache.connection-pool-size=2",
            "memjcache.failure-mode=fail-over",
            "memjcache.max-cas-retries=7",
            "memjcache.read-failure-as-miss=true",
            "memjcache.deserialization.allowlist=com.acme.**",
            "memjcache.discovery.interval=2s",
            "memjcache.membership.settle=9s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          ClientSettings settings = context.getBean(javax.cache.CacheManager.class)
              .unwrap(MemcachedCacheManager.class).getSettings();
          assertThat(settings.operationTimeout()).isEqualTo(Duration.ofMillis(1500));
          assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
          assertThat(settings.connectionPoolSize()).isEqualTo(2);
          assertThat(settings.failureMode()).isEqualTo(ClientSettings.FailureMode.FAIL_OVER);
          assertThat(settings.maxCasRetries()).isEqualTo(7);
          assertThat(settings.readFailureAsMiss()).isTrue();
          assertThat(settings.deserializationAllowlist()).containsExactly("com.acme.**");
          assertThat(settings.discoveryInterval()).isEqualTo(Duration.ofSeconds(2));
          assertThat(settings.membershipSettle()).isEqualTo(Duration.ofSeconds(9));
          assertThat(settings.servers()).hasSize(3);
        });
  }

  @Test
  void namedCachesAreCreatedWithTheirSettingsAndStatisticsOnByDefault() {
    runner().withPropertyValues(
            "memjcache.cache-defaults.near-cache.max-entries=100",
            "memjcache.cache-defaults.near-cache.staleness=500ms",
            "memjcache.caches.books.expiry=created:10m",
            "memjcache.caches.booksByAuthor.expiry=touched:1m",
            "memjcache.caches.booksByAuthor.near-cache.max-entries=0",
            "memjcache.caches[com.acme.Product].management=true",
            "spring.cache.cache-names=books,orders")
        .run(context -> {
          assertThat(context).hasNotFailed();
          javax.cache.CacheManager manager = context.getBean(javax.cache.CacheManager.class);
          assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("books", "booksByAuthor", "com.acme.Product",
              "orders");
          Cache<Object, Object> books = manager.getCache("books");
          CompleteConfiguration<?, ?> booksConfig = books.getConfiguration(CompleteConfiguration.class);
          assertThat(booksConfig.getExpiryPolicyFactory().create())
              .isEqualTo(new CreatedExpiryPolicy(new javax.cache.expiry.Duration(java.util.concurrent.TimeUnit.MINUTES, 10)));
          assertThat(booksConfig.isStatisticsEnabled()).as("statistics on by default").isTrue();
          assertThat(books.unwrap(MemcachedCache.class).nearCacheStatistics()).as("near cache from the defaults")
              .isNotNull();
          Cache<Object, Object> byAuthor = manager.getCache("booksByAuthor");
          assertThat(byAuthor.getConfiguration(CompleteConfiguration.class).getExpiryPolicyFactory().create())
              .isEqualTo(new TouchedExpiryPolicy(new javax.cache.expiry.Duration(java.util.concurrent.TimeUnit.MINUTES, 1)));
          assertThat(byAuthor.unwrap(MemcachedCache.class).nearCacheStatistics()).as("its own 0 wins").isNull();
          assertThat(manager.getCache("com.acme.Product").getConfiguration(CompleteConfiguration.class)
              .isManagementEnabled()).isTrue();
          assertThat(manager.getCache("orders").getConfiguration(CompleteConfiguration.class).isStatisticsEnabled())
              .isTrue();

          org.springframework.cache.CacheManager spring = context.getBean(org.springframework.cache.CacheManager.class);
          assertThat(spring).isInstanceOf(JCacheCacheManager.class);
          spring.getCache("books").put("isbn", "Dune");
          assertThat(books.get("isbn")).isEqualTo("Dune");
        });
  }

  @Test
  void aConfigurationFileIsStillAcceptedAndItsValuesWin() {
    runner().withPropertyValues("spring.cache.jcache.config=classpath:memjcache.properties",
            "memjcache.max-cas-retries=9", "memjcache.caches.books.expiry=created:10m")
        .run(context -> {
          assertThat(context).hasNotFailed();
          javax.cache.CacheManager manager = context.getBean(javax.cache.CacheManager.class);
          assertThat(manager.unwrap(MemcachedCacheManager.class).getSettings().maxCasRetries())
              .as("the file's value over the Spring property").isEqualTo(5);
          assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("fromFile", "books");
          assertThat(manager.getCache("fromFile").getConfiguration(CompleteConfiguration.class)
              .getExpiryPolicyFactory().create())
              .isEqualTo(new CreatedExpiryPolicy(new javax.cache.expiry.Duration(java.util.concurrent.TimeUnit.MINUTES, 3)));
        });
    runner().withPropertyValues("spring.cache.jcache.config=classpath:no-such-file.properties")
        .run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause().hasMessageContaining("no-such-file.properties"));
  }

  /**
   * Two live contexts in one JVM and class loader (a test suite's cached contexts, say) each get a
   * manager of their own: with their own settings, and still open when the other closes.
   */
  @Test
  void twoContextsInOneClassLoaderKeepTheirOwnManagers() {
    String firstNamespace = uniqueNamespace();
    String secondNamespace = uniqueNamespace();
    runner().withPropertyValues("memjcache.namespace=" + firstNamespace, "spring.cache.cache-names=shared")
        .run(first -> {
          javax.cache.CacheManager firstManager = first.getBean(javax.cache.CacheManager.class);
          runner().withPropertyValues("memjcache.namespace=" + secondNamespace, "spring.cache.cache-names=shared")
              .run(second -> {
                javax.cache.CacheManager secondManager = second.getBean(javax.cache.CacheManager.class);
                assertThat(secondManager).isNotSameAs(firstManager);
                assertThat(secondManager.getURI()).isNotEqualTo(firstManager.getURI());
                assertThat(secondManager.getURI().toString()).startsWith("memjcache:spring.application");
                assertThat(secondManager.unwrap(MemcachedCacheManager.class).getSettings().namespace())
                    .as("the second context's own namespace").isEqualTo(secondNamespace);
                firstManager.getCache("shared").put("k", "first");
                assertThat(secondManager.getCache("shared").get("k")).as("another namespace: another cache").isNull();
              });
          assertThat(firstManager.isClosed()).as("still open after the second context closed").isFalse();
          assertThat(firstManager.getCache("shared").get("k")).isEqualTo("first");
        });
  }

  @Test
  void theApplicationsCustomizersRunAndItsOwnManagerWins() {
    runner().withBean(JCacheManagerCustomizer.class,
            () -> manager -> manager.createCache("fromCustomizer", new javax.cache.configuration.MutableConfiguration<>()))
        .run(context -> assertThat(context.getBean(javax.cache.CacheManager.class).getCache("fromCustomizer")).isNotNull());

    javax.cache.CacheManager own = javax.cache.Caching.getCachingProvider("io.memjcache.MemcachedCachingProvider")
        .getCacheManager(java.net.URI.create("memcached://" + CLUSTER.serverList() + "?namespace=" + uniqueNamespace()),
            new ClassLoader(getClass().getClassLoader()) {});
    try {
      runner().withBean("ownManager", javax.cache.CacheManager.class, () -> own)
          .run(context -> assertThat(context.getBean(javax.cache.CacheManager.class)).isSameAs(own));
    } finally {
      own.close();
    }
    runner().withPropertyValues("spring.cache.type=none")
        .run(context -> assertThat(context).doesNotHaveBean(javax.cache.CacheManager.class));
  }

  @Test
  void healthIsUpPerNodeThenDownNamingAKilledNodeThenUpAfterItsRestart() {
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      HealthContributorRegistry registry = context.getBean(HealthContributorRegistry.class);
      HealthIndicator memcached = (HealthIndicator) registry.getContributor("memcached");
      assertThat(memcached).as("registered as 'memcached'").isNotNull();
      Health up = memcached.health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      Map<?, ?> nodes = (Map<?, ?>) up.getDetails().get("nodes");
      assertThat(nodes.keySet().stream().map(String::valueOf).toList()).containsExactlyInAnyOrder(name(0), name(1), name(2));
      assertThat(((Map<?, ?>) nodes.get(name(1))).get("status")).isEqualTo("UP");
      assertThat((Double) ((Map<?, ?>) nodes.get(name(1))).get("roundTripMillis")).isPositive();

      CLUSTER.kill(1);
      try {
        Health down = memcached.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().get("down")).isEqualTo(List.of(name(1)));
        Map<?, ?> victim = (Map<?, ?>) ((Map<?, ?>) down.getDetails().get("nodes")).get(name(1));
        assertThat(victim.get("status")).isEqualTo("DOWN");
        assertThat((String) victim.get("error")).isNotBlank();
      } finally {
        CLUSTER.restart(1);
      }
      Status status = Status.DOWN;
      for (long deadline = System.nanoTime() + 20_000_000_000L; status != Status.UP && System.nanoTime() < deadline; ) {
        status = memcached.health().getStatus();
        if (status != Status.UP) {
          Thread.sleep(100);
        }
      }
      assertThat(status).as("UP again after the restart").isEqualTo(Status.UP);
    });
  }

  @Test
  void metersCountNodeOperationsLatencyAndNearCacheHits() {
    runner().withPropertyValues("memjcache.caches.books.near-cache.max-entries=100", "spring.cache.cache-names=plain")
        .run(context -> {
          assertThat(context).hasNotFailed();
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          javax.cache.CacheManager manager = context.getBean(javax.cache.CacheManager.class);
          Cache<Object, Object> books = manager.getCache("books");
          double before = operations(registry);
          books.put("isbn", "Dune");
          for (int i = 0; i < 5; i++) {
            assertThat(books.get("isbn")).isEqualTo("Dune");
          }
          manager.getCache("plain").get("absent");
          assertThat(operations(registry)).as("commands counted on the nodes").isGreaterThanOrEqualTo(before + 2);
          assertThat(registry.find("memjcache.node.latency").functionTimers())
              .hasSize(3).anySatisfy(timer -> assertThat(timer.count()).isPositive());
          assertThat(registry.find("memjcache.node.errors").functionCounters()).hasSize(3)
              .allSatisfy(counter -> assertThat(counter.count()).isZero());
          assertThat(registry.find("memjcache.node.timeouts").functionCounters()).hasSize(3);
          assertThat(registry.get("memjcache.near.hits").tag("cache", "books").functionCounter().count())
              .as("4 of the 5 gets from the near cache, at least").isGreaterThanOrEqualTo(4);
          assertThat(registry.get("memjcache.near.misses").tag("cache", "books").functionCounter().count())
              .isGreaterThanOrEqualTo(1);
          assertThat(registry.get("memjcache.near.size").tag("cache", "books").gauge().value()).isEqualTo(1);
          assertThat(registry.find("memjcache.near.hits").tag("cache", "plain").functionCounter())
              .as("no near cache, no near meters").isNull();
          assertThat(registry.get("cache.gets").tag("cache", "plain").tag("result", "miss").functionCounter().count())
              .as("Spring's JCache meters count: statistics are on").isEqualTo(1);
        });
  }

  @Test
  void backsOffWithoutActuatorOrMicrometer() {
    runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(javax.cache.CacheManager.class);
          assertThat(context).doesNotHaveBean(MemcachedHealthIndicator.class);
        });
    runner().withClassLoader(new FilteredClassLoader("io.micrometer"))
        .run(context -> {
          assertThat(context).hasSingleBean(javax.cache.CacheManager.class);
          assertThat(context).doesNotHaveBean(MemJCacheMeterBinder.class);
        });
  }

  private static double operations(MeterRegistry registry) {
    return registry.find("memjcache.node.operations").functionCounters().stream()
        .mapToDouble(FunctionCounter::count).sum();
  }

  static String uniqueNamespace() {
    return "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  private static String name(int index) {
    return "127.0.0.1:" + CLUSTER.addresses().get(index).getPort();
  }
}
