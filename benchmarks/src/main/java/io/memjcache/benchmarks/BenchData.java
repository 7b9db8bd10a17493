package io.memjcache.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The data every benchmark works on: {@value #KEYS} keys with random values of one size, and
 * precomputed batches of {@value #BATCH} distinct keys for getAll. Values are ASCII, so a value
 * of {@code size} characters is {@code size} bytes for every client.
 */
final class BenchData {

  static final int KEYS = 1024;
  static final int BATCH = 100;
  static final int BATCHES = 64;
  private static final char[] ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  final int size;
  final String[] keys = new String[KEYS];
  final String[] values = new String[KEYS];
  final byte[][] valueBytes = new byte[KEYS][];
  /** Each a set of {@value #BATCH} distinct keys. */
  final List<List<String>> batches = new ArrayList<>(BATCHES);

  BenchData(int size) {
    this.size = size;
    Random random = new Random(42L * size + 7);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = key(i);
      values[i] = randomString(random, size);
      valueBytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    List<String> all = new ArrayList<>(List.of(keys));
    for (int b = 0; b < BATCHES; b++) {
      Collections.shuffle(all, random);
      batches.add(List.copyOf(all.subList(0, BATCH)));
    }
  }

  static String key(int i) {
    return String.format("key-%06d", i);
  }

  static String randomString(Random random, int size) {
    char[] chars = new char[size];
    for (int i = 0; i < size; i++) {
      chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(chars);
  }

  List<Set<String>> batchSets() {
    List<Set<String>> sets = new ArrayList<>(batches.size());
    for (List<String> batch : batches) {
      sets.add(Collections.unmodifiableSet(new LinkedHashSet<>(batch)));
    }
    return sets;
  }

  /** A server address list the run script passed as a system property. */
  static String servers(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + property + " is not set: run the benchmarks through benchmarks/run.sh,"
              + " or pass -D" + property + "=127.0.0.1:<port>[,...] to the JVM");
    }
    return value.trim();
  }

  /** A rotation by one character: the "modify" of the read-modify-write benchmarks. */
  static String rotate(String value) {
    return value.substring(1) + value.charAt(0);
  }

  static byte[] rotate(byte[] value) {
    byte[] out = new byte[value.length];
    System.arraycopy(value, 1, out, 0, value.length - 1);
    out[value.length - 1] = value[0];
    return out;
  }
}
