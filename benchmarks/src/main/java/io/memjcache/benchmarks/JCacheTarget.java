package io.memjcache.benchmarks;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;

/** The operations through the JCache API: MemJCache, Redisson's and Hazelcast's JCache run this same code. */
final class JCacheTarget implements Target {

  private final Cache<String, String> cache;
  private final BenchData data;
  private final List<Set<String>> batches;
  private final String freshPrefix;
  private final Runnable onClose;

  JCacheTarget(Cache<String, String> cache, BenchData data, Runnable onClose) {
    this.cache = cache;
    this.data = data;
    this.batches = data.batchSets();
    this.freshPrefix = "fresh-" + Long.toHexString(System.nanoTime()) + "-";
    this.onClose = onClose;
  }

  Cache<String, String> cache() {
    return cache;
  }

  @Override
  public Object get(int i) {
    return cache.get(data.keys[i]);
  }

  @Override
  public void put(int i) {
    cache.put(data.keys[i], data.values[i]);
  }

  @Override
  public Object getAll(int b) {
    Map<String, String> found = cache.getAll(batches.get(b));
    return found;
  }

  @Override
  public boolean putIfAbsent(long n) {
    return cache.putIfAbsent(freshPrefix + n, data.values[(int) (n & (BenchData.KEYS - 1))]);
  }

  @Override
  public boolean replace(int i) {
    String value = data.values[i];
    return cache.replace(data.keys[i], value, value);
  }

  @Override
  public Object invoke(int i) {
    return cache.invoke(data.keys[i], Rotate.INSTANCE);
  }

  @Override
  public void putAll(BulkBatch batch, int variant) {
    cache.putAll(batch.maps.get(variant));
  }

  @Override
  public void removeAll(BulkBatch batch) {
    cache.removeAll(batch.keySet);
  }

  @Override
  public Map<String, EntryProcessorResult<Integer>> invokeAll(BulkBatch batch) {
    return cache.invokeAll(batch.keySet, Rotate.INSTANCE);
  }

  @Override
  public Map<String, ?> read(Collection<String> keys) {
    return cache.getAll(keys instanceof java.util.Set<String> set ? set : new LinkedHashSet<>(keys));
  }

  @Override
  public void populate() {
    for (int i = 0; i < BenchData.KEYS; i++) {
      put(i);
    }
  }

  @Override
  public void close() {
    onClose.run();
  }

  /** Rotates the value by one character; returns the old length. Serializable for Redisson and Hazelcast (whose member runs it). */
  static final class Rotate implements EntryProcessor<String, String, Integer>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    static final Rotate INSTANCE = new Rotate();

    @Override
    public Integer process(MutableEntry<String, String> entry, Object... arguments) {
      String value = entry.getValue();
      if (value == null) {
        return null;
      }
      entry.setValue(BenchData.rotate(value));
      return value.length();
    }
  }
}
