package io.memjcache.spring.boot;

import io.memjcache.MemcachedCacheManager;
import javax.cache.CacheManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health {@code memcached} (the bean name without its suffix), when the application has Actuator's
 * health support and a MemJCache CacheManager; off with {@code management.health.memcached.enabled=false}.
 * Each node waits at most the operation timeout.
 */
@AutoConfiguration(after = MemJCacheAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(CacheManager.class)
@ConditionalOnEnabledHealthIndicator("memcached")
public class MemJCacheHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = {"memcachedHealthIndicator", "memcachedHealthContributor"})
  HealthIndicator memcachedHealthIndicator(CacheManager cacheManager) {
    MemcachedCacheManager manager = cacheManager.unwrap(MemcachedCacheManager.class);
    return new MemcachedHealthIndicator(manager, manager.getSettings().operationTimeout());
  }
}
