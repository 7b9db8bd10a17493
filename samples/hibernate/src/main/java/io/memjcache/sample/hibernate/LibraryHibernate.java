package io.memjcache.sample.hibernate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;

/**
 * Plain Hibernate bootstrap (no Spring, no JPA container) of the library model with its
 * second-level cache on MemJCache.
 */
public final class LibraryHibernate {

  /** The MemJCache configuration file of this sample, on the class path. */
  public static final String MEMJCACHE_CONFIG = "classpath:memjcache.properties";

  private LibraryHibernate() {}

  /**
   * The Hibernate settings that put the second-level cache on MemJCache.
   *
   * @param memjcacheConfig the MemJCache configuration file: {@code classpath:...} or {@code file:...}
   */
  public static Map<String, Object> cacheSettings(String memjcacheConfig) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.use_query_cache", "true");
    // hibernate-jcache's region factory, with MemJCache as its JCache provider.
    settings.put("hibernate.cache.region.factory_class", "jcache");
    settings.put("hibernate.javax.cache.provider", "io.memjcache.MemcachedCachingProvider");
    // Hibernate resolves this to a URL (file:... or jar:...!/memjcache.properties) and asks the
    // provider for the CacheManager of that URI: the file holds the servers and every region.
    settings.put("hibernate.javax.cache.uri", memjcacheConfig);
    // Every region is declared in the MemJCache file; a region that is not is a start-up error
    // rather than a cache created with whatever defaults.
    settings.put("hibernate.javax.cache.missing_cache_strategy", "fail");
    // Cache hits, misses and puts per region, and statement counts.
    settings.put("hibernate.generate_statistics", "true");
    return settings;
  }

  /**
   * A SessionFactory on the database at {@code jdbcUrl} whose second-level cache is configured by
   * {@code memjcacheConfig}. Closing it closes its CacheManager.
   */
  public static SessionFactory sessionFactory(String jdbcUrl, String memjcacheConfig) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("jakarta.persistence.jdbc.url", jdbcUrl);
    settings.put("jakarta.persistence.jdbc.user", "sa");
    settings.put("jakarta.persistence.jdbc.password", "");
    settings.put("hibernate.hbm2ddl.auto", "update");
    settings.putAll(cacheSettings(memjcacheConfig));
    StandardServiceRegistry registry = new StandardServiceRegistryBuilder().applySettings(settings).build();
    try {
      return new MetadataSources(registry)
          .addAnnotatedClass(Author.class)
          .addAnnotatedClass(Book.class)
          .buildMetadata()
          .buildSessionFactory();
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }
}
