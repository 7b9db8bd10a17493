package io.memjcache.sample.springboot;

import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.cache.autoconfigure.JCachePropertiesCustomizer;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A bookstore whose Spring caches live on memcached: {@code spring.cache.type=jcache} with the
 * MemJCache provider, configured by {@code memjcache.properties} (see application.properties).
 */
@SpringBootApplication
@EnableCaching
public class BookstoreApplication {

  /** The MemJCache settings that differ per environment, taken from Spring's configuration. */
  static final List<String> CLUSTER_SETTINGS = List.of("memjcache.servers", "memjcache.namespace");

  public static void main(String[] args) {
    SpringApplication.run(BookstoreApplication.class, args);
  }

  /**
   * Hands {@code memjcache.servers} and {@code memjcache.namespace} from Spring's Environment
   * (application.properties, {@code MEMJCACHE_SERVERS}, {@code --memjcache.servers=...}, a test's
   * {@code @DynamicPropertySource}) to the CacheManager as its Properties. memjcache.properties
   * leaves both out: a key set in the file would take precedence over these Properties.
   */
  @Bean
  JCachePropertiesCustomizer memjcacheCluster(Environment environment) {
    return properties -> {
      for (String key : CLUSTER_SETTINGS) {
        String value = environment.getProperty(key);
        if (value != null) {
          properties.setProperty(key, value);
        }
      }
    };
  }
}
