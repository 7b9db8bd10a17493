package io.memjcache.sample.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import io.memjcache.MemcachedCache;
import io.memjcache.testing.MemcachedCluster;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The bookstore's starter configuration on real memcached nodes: the caches application.properties
 * names, with its expiry and statistics on; Actuator's {@code memcached} health per node, DOWN naming
 * a killed node and UP again after its restart; MemJCache's per-node meters.
 */
@SpringBootTest
@AutoConfigureMockMvc
@DirtiesContext
class BookstoreActuatorTest {

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  static final String NAMESPACE = "bookstore-actuator-" + UUID.randomUUID();

  @Autowired CacheManager cacheManager;
  @Autowired BookService books;
  @Autowired MockMvc mvc;

  @DynamicPropertySource
  static void memcached(DynamicPropertyRegistry registry) {
    registry.add("memjcache.servers", MEMCACHED::serverList);
    registry.add("memjcache.namespace", () -> NAMESPACE);
  }

  @Test
  void theCachesOfApplicationPropertiesExistWithTheirExpiryAndStatistics() {
    assertThat(cacheManager.getCacheNames()).containsExactlyInAnyOrder("books", "booksByAuthor");
    CompleteConfiguration<?, ?> bookConfig = cacheManager.getCache("books").getConfiguration(CompleteConfiguration.class);
    assertThat(bookConfig.getExpiryPolicyFactory().create())
        .isEqualTo(new CreatedExpiryPolicy(new Duration(TimeUnit.MINUTES, 10)));
    assertThat(bookConfig.isStatisticsEnabled()).isTrue();
    assertThat(cacheManager.getCache("booksByAuthor").getConfiguration(CompleteConfiguration.class)
        .getExpiryPolicyFactory().create()).isEqualTo(new CreatedExpiryPolicy(new Duration(TimeUnit.MINUTES, 1)));
    assertThat(cacheManager.getCache("books").unwrap(MemcachedCache.class).nearCacheStatistics())
        .as("no near cache unless configured").isNull();
  }

  @Test
  void healthNamesEachNodeAndADeadOne() throws Exception {
    String up = mvc.perform(get("/actuator/health/memcached"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.status").value("UP"))
        .andReturn().getResponse().getContentAsString();
    for (int i = 0; i < 3; i++) {
      String node = name(i);
      assertThat((String) JsonPath.read(up, "$.details.nodes['" + node + "'].status")).isEqualTo("UP");
      assertThat((Double) JsonPath.read(up, "$.details.nodes['" + node + "'].roundTripMillis")).isPositive();
    }

    MEMCACHED.kill(2);
    try {
      String down = mvc.perform(get("/actuator/health/memcached"))
          .andExpect(status().isServiceUnavailable())
          .andExpect(jsonPath("$.status").value("DOWN"))
          .andReturn().getResponse().getContentAsString();
      List<String> downNodes = JsonPath.read(down, "$.details.down");
      assertThat(downNodes).containsExactly(name(2));
      assertThat((String) JsonPath.read(down, "$.details.nodes['" + name(2) + "'].status")).isEqualTo("DOWN");
      mvc.perform(get("/actuator/health")).andExpect(status().isServiceUnavailable());
    } finally {
      MEMCACHED.restart(2);
    }
    int code = 0;
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); code != 200 && System.nanoTime() < deadline; ) {
      code = mvc.perform(get("/actuator/health/memcached")).andReturn().getResponse().getStatus();
      if (code != 200) {
        Thread.sleep(100);
      }
    }
    assertThat(code).as("UP again once the node is back").isEqualTo(200);
  }

  @Test
  void perNodeMetersCountTheApplicationsCalls() throws Exception {
    books.find(BookstoreCachingTest.DUNE);
    books.find(BookstoreCachingTest.DUNE);
    String operations = mvc.perform(get("/actuator/metrics/memjcache.node.operations"))
        .andExpect(status().isOk())
        .andReturn().getResponse().getContentAsString();
    assertThat((Double) JsonPath.read(operations, "$.measurements[0].value")).isGreaterThanOrEqualTo(2.0);
    List<String> nodes = JsonPath.read(operations, "$.availableTags[?(@.tag == 'node')].values[*]");
    assertThat(nodes).containsExactlyInAnyOrder(name(0), name(1), name(2));
    String latency = mvc.perform(get("/actuator/metrics/memjcache.node.latency"))
        .andExpect(status().isOk())
        .andReturn().getResponse().getContentAsString();
    List<Double> counts = JsonPath.read(latency, "$.measurements[?(@.statistic == 'COUNT')].value");
    assertThat(counts).hasSize(1);
    assertThat(counts.get(0)).isGreaterThanOrEqualTo(2.0);
    mvc.perform(get("/actuator/metrics/memjcache.node.errors")).andExpect(status().isOk());
    mvc.perform(get("/actuator/metrics/memjcache.node.timeouts")).andExpect(status().isOk());
  }

  /** The sample README's configuration block is this application's own, line for line. */
  @Test
  void theReadmesConfigurationIsTheApplicationsOwn() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
    int start = readme.indexOf("```properties\n", readme.indexOf("## The configuration"));
    String block = readme.substring(start + "```properties\n".length(), readme.indexOf("```", start + 3));
    List<String> file = java.nio.file.Files.readAllLines(
        java.nio.file.Path.of("src", "main", "resources", "application.properties"));
    List<String> settings = file.stream().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    assertThat(block.lines().toList()).isEqualTo(settings.stream()
        .filter(line -> !line.startsWith("spring.application.name")).toList());
  }

  private static String name(int index) {
    return "127.0.0.1:" + MEMCACHED.addresses().get(index).getPort();
  }
}
