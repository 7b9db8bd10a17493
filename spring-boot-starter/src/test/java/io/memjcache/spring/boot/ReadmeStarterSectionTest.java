package io.memjcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.memjcache.MemcachedCacheManager;
import io.memjcache.testing.MemcachedCluster;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The README's "Spring Boot: the starter" section as written: its properties block is the Spring
 * Boot sample's own and starts an application with the caches it names; every {@code memjcache.*}
 * name it mentions is a property of the starter or a meter it registers; each setting it quotes
 * binds and is accepted, and the health switch it gives turns the indicator off.
 */
@SuppressWarnings("unchecked")
class ReadmeStarterSectionTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(2);

  private static final Pattern MENTIONED = Pattern.compile("(?<![\\w.-])memjcache\\.[A-Za-z0-9.\\[\\]<>-]*[A-Za-z0-9\\]>*]");
  private static final Pattern QUOTED = Pattern.compile("`(?:--)?([a-z][\\w.\\[\\]-]*)=([^`]+)`");

  @Test
  void thePropertiesBlockIsTheSamplesAndStartsAnApplicationWithItsCaches() throws IOException {
    List<String> block = propertiesBlock();
    assertThat(block).hasSizeGreaterThanOrEqualTo(5);
    List<String> sample = Files.readAllLines(
        Path.of("..", "samples", "spring-boot", "src", "main", "resources", "application.properties"));
    assertThat(sample).containsAll(block);

    List<String> settings = new ArrayList<>(block);
    // The block's servers are a local node's; this test's nodes are on random ports.
    settings.replaceAll(line -> line.startsWith("memjcache.servers=") ? "memjcache.servers=" + CLUSTER.serverList() : line);
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemJCacheAutoConfiguration.class, CacheAutoConfiguration.class))
        .withUserConfiguration(MemJCacheAutoConfigurationTest.CachingApplication.class)
        .withPropertyValues(settings.toArray(String[]::new))
        .run(context -> {
          assertThat(context).hasNotFailed();
          javax.cache.CacheManager manager = context.getBean(javax.cache.CacheManager.class);
          assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("books", "booksByAuthor");
          assertThat(manager.getCache("books").getConfiguration(CompleteConfiguration.class)
              .getExpiryPolicyFactory().create())
              .isEqualTo(new CreatedExpiryPolicy(new javax.cache.expiry.Duration(TimeUnit.MINUTES, 10)));
          assertThat(manager.unwrap(MemcachedCacheManager.class).getSettings().namespace()).isEqualTo("bookstore");
          assertThat(manager.unwrap(MemcachedCacheManager.class).getSettings().deserializationAllowlist())
              .containsExactly("io.memjcache.sample.springboot.**");
        });
  }

  @Test
  void everyNameItMentionsIsAStarterPropertyOrMeter() throws IOException {
    Set<String> properties = metadataNames();
    Set<String> meters = meterNames();
    List<String> unknown = new ArrayList<>();
    Matcher mentioned = MENTIONED.matcher(section());
    int count = 0;
    while (mentioned.find()) {
      String name = mentioned.group().replaceAll("\\.$", "");
      if (name.endsWith(".properties")) {
        continue; // a file name
      }
      count++;
      boolean known = properties.contains(name) || meters.contains(name)
          || name.endsWith(".*") && properties.stream().anyMatch(p -> p.startsWith(name.substring(0, name.length() - 1)))
          || name.startsWith("memjcache.caches.") || name.startsWith("memjcache.caches[")
          || name.startsWith("memjcache.cache-defaults.") && properties.stream().anyMatch(p -> p.startsWith(name))
          || name.equals("memjcache.operationTimeoutMillis"); // the -D spelling, checked by the provider's ReadmeSettingsTest
      if (!known) {
        unknown.add(name);
      }
    }
    assertThat(unknown).as("names in the starter section that are neither properties nor meters").isEmpty();
    assertThat(count).isGreaterThan(15);
  }

  @Test
  void everySettingItQuotesBindsAndTheHealthSwitchWorks() throws IOException {
    Matcher quoted = QUOTED.matcher(section());
    int count = 0;
    while (quoted.find()) {
      String key = quoted.group(1);
      String value = quoted.group(2);
      count++;
      if (key.startsWith("memjcache.")) {
        MemJCacheProperties bound = new Binder(new MapConfigurationPropertySource(Map.of(key, value)))
            .bindOrCreate("memjcache", MemJCacheProperties.class);
        assertThat(bound.toProviderProperties().size()).as(quoted.group()).isGreaterThan(1); // beyond the statistics default
      } else if (key.equals("management.health.memcached.enabled")) {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MemJCacheAutoConfiguration.class,
                MemJCacheHealthAutoConfiguration.class, HealthContributorAutoConfiguration.class))
            .withPropertyValues("memjcache.servers=" + CLUSTER.serverList(), key + "=" + value)
            .run(context -> {
              assertThat(context).hasSingleBean(javax.cache.CacheManager.class);
              assertThat(context).doesNotHaveBean("memcachedHealthIndicator");
            });
      } else {
        assertThat(key).as("a quoted setting this test knows").startsWith("spring.cache.");
      }
    }
    assertThat(count).isGreaterThanOrEqualTo(5);
  }

  private static Set<String> meterNames() {
    javax.cache.CacheManager manager = javax.cache.Caching.getCachingProvider("io.memjcache.MemcachedCachingProvider")
        .getCacheManager(java.net.URI.create("memcached://" + CLUSTER.serverList() + "?namespace="
            + MemJCacheAutoConfigurationTest.uniqueNamespace()), new ClassLoader(ReadmeStarterSectionTest.class.getClassLoader()) {},
            nearCacheDefaults());
    try {
      manager.createCache("near", new javax.cache.configuration.MutableConfiguration<>());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new MemJCacheMeterBinder(manager.unwrap(MemcachedCacheManager.class)).bindTo(registry);
      return registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).collect(Collectors.toSet());
    } finally {
      manager.close();
    }
  }

  private static java.util.Properties nearCacheDefaults() {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("memjcache.cache.default.nearCache.maxEntries", "10");
    return properties;
  }

  private static Set<String> metadataNames() throws IOException {
    try (InputStream in = ReadmeStarterSectionTest.class.getClassLoader()
        .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      List<String> names = JsonPath.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "$.properties[*].name");
      return Set.copyOf(names);
    }
  }

  private static List<String> propertiesBlock() throws IOException {
    String section = section();
    int start = section.indexOf("```properties\n");
    assertThat(start).as("a properties block in the starter section").isPositive();
    String block = section.substring(start + "```properties\n".length(), section.indexOf("```", start + 3));
    return block.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
  }

  private static String section() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("### Spring Boot: the starter");
    int end = readme.indexOf("### Plain JCache");
    assertThat(start).isPositive();
    assertThat(end).isGreaterThan(start);
    return readme.substring(start, end);
  }
}
