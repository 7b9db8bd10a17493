package io.memjcache.management;

import java.lang.ref.WeakReference;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.management.CacheMXBean;

/**
 * The {@link CacheMXBean} of one cache: a live view of its configuration, held weakly so that the
 * platform MBeanServer never keeps the configuration's application classes (listeners, loaders,
 * key and value types) alive; once the cache is gone it shows the last values it read.
 */
public final class CacheConfigurationBean implements CacheMXBean {

  private final WeakReference<CompleteConfiguration<?, ?>> configuration;
  private final String keyType;
  private final String valueType;
  private volatile boolean readThrough;
  private volatile boolean writeThrough;
  private volatile boolean storeByValue;
  private volatile boolean statisticsEnabled;
  private volatile boolean managementEnabled;

  public CacheConfigurationBean(CompleteConfiguration<?, ?> configuration) {
    this.configuration = new WeakReference<>(configuration);
    this.keyType = configuration.getKeyType().getName();
    this.valueType = configuration.getValueType().getName();
    refresh();
  }

  /** Reads the configuration's flags again if it is still there. */
  private void refresh() {
    CompleteConfiguration<?, ?> live = configuration.get();
    if (live != null) {
      readThrough = live.isReadThrough();
      writeThrough = live.isWriteThrough();
      storeByValue = live.isStoreByValue();
      statisticsEnabled = live.isStatisticsEnabled();
      managementEnabled = live.isManagementEnabled();
    }
  }

  @Override
  public String getKeyType() {
    return keyType;
  }

  @Override
  public String getValueType() {
    return valueType;
  }

  @Override
  public boolean isReadThrough() {
    refresh();
    return readThrough;
  }

  @Override
  public boolean isWriteThrough() {
    refresh();
    return writeThrough;
  }

  @Override
  public boolean isStoreByValue() {
    refresh();
    return storeByValue;
  }

  @Override
  public boolean isStatisticsEnabled() {
    refresh();
    return statisticsEnabled;
  }

  @Override
  public boolean isManagementEnabled() {
    refresh();
    return managementEnabled;
  }
}
