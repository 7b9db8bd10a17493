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

  /**
   * The value of {@code hibernate.javax.cache.uri} that names this sample's MemJCache file on the
   * class path. Hibernate resolves it with its class-loader service, which takes a URL ({@code
   * file:}, {@code jar:}) or a class-path resource name, but no {@code classpath:} scheme:
   * {@code classpath:memjcache.properties} fails the SessionFactory ("Couldn't load URI from ...").
   */
  public static final String CACHE_URI = "memjcache.properties";

  private LibraryHibernate() {}

  /**
   * The Hibernate settings that put the second-level cache on MemJCache.
   *
   * @param memjcacheConfig the MemJCache configuration file: a class-path resource name ({@link
   *     #CACHE_URI}) or a {@code file:} URL
   */
  public static Map<String, Object> cacheSettings(String memjcacheConfig) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.use_query_cache", "true");
    // hibernate-jcache's region factory, with MemJCache as its JCache provider.
    settings.put("hibernate.cache.region.factory_class", "jcache");
    settings.put("hibernate.javax.cache.provider", "io.memjcache.MemcachedCachingProvider");
    // Hibernate resolves this to a URL (file:... or jar:...!/memjcache.properties) and asks the
    // provider for the CacheManager of that URI: the file holds the regions (and may hold the
    // servers). A class-path resource name or a URL; Hibernate knows no "classpath:" scheme.
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
