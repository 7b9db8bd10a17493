package io.memjcache.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@value BenchData#BATCH} distinct keys that one benchmark thread alone writes and removes, with
 * two precomputed values per key (variant 0 and 1, both of the run's size) so that consecutive
 * writes of a batch store different values. Everything a call needs is built here, outside the
 * measured code.
 */
final class BulkBatch {

  final List<String> keys;
  final Set<String> keySet;
  /** [variant][i]: the value of {@code keys.get(i)}. */
  final String[][] strings = new String[2][];
  final byte[][][] bytes = new byte[2][][];
  /** [variant]: key → value, for a JCache putAll. */
  final List<Map<String, String>> maps = new ArrayList<>(2);

  BulkBatch(BenchData data, int thread, int batch) {
    List<String> k = new ArrayList<>(BenchData.BATCH);
    for (int v = 0; v < 2; v++) {
      strings[v] = new String[BenchData.BATCH];
      bytes[v] = new byte[BenchData.BATCH][];
    }
    for (int i = 0; i < BenchData.BATCH; i++) {
      int j = batch * BenchData.BATCH + i;
      k.add(String.format("bulk-t%02d-%05d", thread, j));
      for (int v = 0; v < 2; v++) {
        int source = (j + v * (BenchData.KEYS / 2)) % BenchData.KEYS;
        strings[v][i] = data.values[source];
        bytes[v][i] = data.valueBytes[source];
      }
    }
    keys = List.copyOf(k);
    keySet = Collections.unmodifiableSet(new LinkedHashSet<>(keys));
    for (int v = 0; v < 2; v++) {
      Map<String, String> map = new LinkedHashMap<>();
      for (int i = 0; i < BenchData.BATCH; i++) {
        map.put(keys.get(i), strings[v][i]);
      }
      maps.add(Collections.unmodifiableMap(map));
    }
  }
}
