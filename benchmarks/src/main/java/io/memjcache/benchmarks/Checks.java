package io.memjcache.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Result checks. A miss is faster than a hit, so an operation that silently misses would look
 * like a speed-up: every measured result is checked cheaply (present, right length, right count),
 * and the content in full once per iteration, outside the measured code.
 */
final class Checks {

  private Checks() {}

  /** The length of a value as a client returned it (String or byte[]), -1 for null. */
  static int length(Object value) {
    if (value == null) {
      return -1;
    }
    if (value instanceof byte[] b) {
      return b.length;
    }
    if (value instanceof String s) {
      return s.length();
    }
    throw new IllegalStateException("unexpected value type " + value.getClass().getName());
  }

  /** A value read by a measured operation: present and of the run's size. */
  static Object value(Object value, int size, String what) {
    if (length(value) != size) {
      throw new IllegalStateException(what + ": expected a value of " + size + " chars, got " + describe(value));
    }
    return value;
  }

  /** A bulk read's result: exactly {@code count} entries, each of the run's size. */
  static Map<?, ?> all(Object result, int count, int size, String what) {
    if (!(result instanceof Map<?, ?> map) || map.size() != count) {
      throw new IllegalStateException(what + ": expected " + count + " entries, got "
          + (result instanceof Map<?, ?> m ? m.size() + " entries" : String.valueOf(result)));
    }
    for (Object v : map.values()) {
      value(v, size, what);
    }
    return map;
  }

  static void isTrue(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }

  static String text(Object value) {
    if (value instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return (String) value;
  }

  /** Whether {@code value} is {@code original} rotated by any number of characters (invoke rotates). */
  static boolean rotationOf(Object value, String original) {
    String v = text(value);
    return v != null && v.length() == original.length() && (original + original).contains(v);
  }

  /**
   * After an iteration, outside the measurement: every key of {@code data} read back from {@code
   * client}, a batch at a time, and its value accepted by {@code holds} (value read, populated value).
   */
  static void everyKeyHolds(Target client, BenchData data, String target, BiPredicate<Object, String> holds) {
    for (int from = 0; from < BenchData.KEYS; from += BenchData.BATCH) {
      List<String> keys = Arrays.asList(data.keys).subList(from, Math.min(BenchData.KEYS, from + BenchData.BATCH));
      Map<String, ?> found = client.read(keys);
      for (int i = from; i < from + keys.size(); i++) {
        Object value = found.get(data.keys[i]);
        isTrue(holds.test(value, data.values[i]),
            target + ": after the iteration, key " + data.keys[i] + " holds " + describe(value));
      }
    }
  }

  static String describe(Object value) {
    if (value == null) {
      return "null (a miss)";
    }
    return value instanceof byte[] b ? b.length + " bytes" : "a value of " + value.toString().length() + " chars";
  }
}
