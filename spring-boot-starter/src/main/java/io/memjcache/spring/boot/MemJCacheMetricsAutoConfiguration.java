package io.memjcache.spring.boot;

import io.memjcache.MemcachedCacheManager;
import io.micrometer.core.instrument.binder.MeterBinder;
import javax.cache.CacheManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * MemJCache's per-node and near-cache meters, when the application has Micrometer and a MemJCache
 * CacheManager (Boot binds every {@link MeterBinder} bean to its registries).
 */
@AutoConfiguration(after = MemJCacheAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(CacheManager.class)
public class MemJCacheMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  MemJCacheMeterBinder memjcacheMeterBinder(CacheManager cacheManager) {
    return new MemJCacheMeterBinder(cacheManager.unwrap(MemcachedCacheManager.class));
  }
}
