package io.memjcache.benchmarks;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import net.rubyeye.xmemcached.MemcachedClient;

/**
 * Memory on the server per entry: loads 100,000 String keys with 100-byte String values through
 * MemJCache into one fresh memcached node ({@code -Dbench.bytesMemjcache}) and the same keys and
 * value bytes through raw xmemcached into another ({@code -Dbench.bytesRaw}), then compares
 * memcached's {@code stats} {@code bytes} (the items' total size: header, CAS, key, flags suffix,
 * value) per entry. Prints the figures and writes them as JSON to the file given as argument.
 */
public final class BytesPerEntry {

  static final int ENTRIES = Integer.getInteger("bench.bytesEntries", 100_000);
  static final int VALUE_SIZE = 100;
  static final String NAMESPACE = "bench";
  static final String CACHE = "bytes";

  private BytesPerEntry() {}

  public static void main(String[] args) throws Exception {
    String memjcacheNode = BenchData.servers("bench.bytesMemjcache");
    String rawNode = BenchData.servers("bench.bytesRaw");
    Random random = new Random(100);
    String[] keys = new String[ENTRIES];
    String[] values = new String[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
      keys[i] = BenchData.key(i);
      values[i] = BenchData.randomString(random, VALUE_SIZE);
    }

    Map<String, Long> before = stats(memjcacheNode);
    CacheManager manager =
        Caching.getCachingProvider(Targets.MEMJCACHE_PROVIDER)
            .getCacheManager(URI.create("memcached://" + memjcacheNode + "?namespace=" + NAMESPACE),
                BytesPerEntry.class.getClassLoader());
    try {
      Cache<String, String> cache = manager.createCache(CACHE, Targets.stringCache());
      Map<String, String> batch = new LinkedHashMap<>();
      for (int i = 0; i < ENTRIES; i++) {
        batch.put(keys[i], values[i]);
        if (batch.size() == 1000 || i == ENTRIES - 1) {
          cache.putAll(batch);
          batch.clear();
        }
      }
    } finally {
      manager.close();
    }
    Map<String, Long> memjcache = delta(before, stats(memjcacheNode));

    before = stats(rawNode);
    MemcachedClient raw = XMemcachedTarget.connect(rawNode);
    try {
      for (int i = 0; i < ENTRIES; i++) {
        raw.set(keys[i], 0, values[i].getBytes(StandardCharsets.UTF_8), BytesTranscoder.INSTANCE, XMemcachedTarget.TIMEOUT_MILLIS);
      }
    } finally {
      raw.shutdown();
    }
    Map<String, Long> rawStats = delta(before, stats(rawNode));

    for (Map.Entry<String, Map<String, Long>> e : Map.of("MemJCache", memjcache, "raw", rawStats).entrySet()) {
      Map<String, Long> s = e.getValue();
      if (s.get("curr_items") != ENTRIES || s.get("evictions") != 0) {
        throw new IllegalStateException(e.getKey() + " node holds " + s.get("curr_items") + " new items with "
            + s.get("evictions") + " evictions, expected " + ENTRIES + " and 0");
      }
    }
    double perEntryMemjcache = (double) memjcache.get("bytes") / ENTRIES;
    double perEntryRaw = (double) rawStats.get("bytes") / ENTRIES;
    double difference = perEntryMemjcache - perEntryRaw;

    // Where the difference comes from, read back from the servers (not from MemJCache's classes):
    // every item's key from lru_crawler metadump, and its value bytes and flags through raw xmemcached.
    Layout memjcacheLayout = Layout.read(memjcacheNode);
    Layout rawLayout = Layout.read(rawNode);
    double keyDelta = memjcacheLayout.keyBytes() - rawLayout.keyBytes();
    double valueDelta = memjcacheLayout.valueBytes() - rawLayout.valueBytes();
    double otherDelta = difference - keyDelta - valueDelta;
    String example = memjcacheLayout.exampleKey();

    System.out.printf(Locale.ROOT, "bytes per entry (memcached stats 'bytes' / %d entries, %d-byte String values):%n", ENTRIES, VALUE_SIZE);
    System.out.printf(Locale.ROOT, "  MemJCache      %8.2f%n", perEntryMemjcache);
    System.out.printf(Locale.ROOT, "  raw xmemcached %8.2f%n", perEntryRaw);
    System.out.printf(Locale.ROOT, "  difference     %8.2f  = key %+.2f + value %+.2f + other %+.2f (item header: flags suffix)%n",
        difference, keyDelta, valueDelta, otherDelta);
    System.out.printf(Locale.ROOT, "  MemJCache: key %.2f B (e.g. %s), value %.2f B, %.0f%% with non-zero flags; raw: key %.2f B (e.g. %s), value %.2f B%n",
        memjcacheLayout.keyBytes(), example, memjcacheLayout.valueBytes(), 100 * memjcacheLayout.flagged(),
        rawLayout.keyBytes(), rawLayout.exampleKey(), rawLayout.valueBytes());

    String json = String.format(Locale.ROOT,
        "{\"entries\": %d, \"valueSize\": %d, \"memjcacheBytesPerEntry\": %.2f, \"rawBytesPerEntry\": %.2f, "
            + "\"difference\": %.2f, \"keyDelta\": %.2f, \"valueDelta\": %.2f, \"otherDelta\": %.2f, "
            + "\"memjcacheKeyBytes\": %.2f, \"rawKeyBytes\": %.2f, \"memjcacheValueBytes\": %.2f, \"rawValueBytes\": %.2f, "
            + "\"exampleKey\": \"%s\"}%n",
        ENTRIES, VALUE_SIZE, perEntryMemjcache, perEntryRaw, difference, keyDelta, valueDelta, otherDelta,
        memjcacheLayout.keyBytes(), rawLayout.keyBytes(), memjcacheLayout.valueBytes(), rawLayout.valueBytes(), example);
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), json);
    }
  }

  private static Map<String, Long> stats(String node) throws Exception {
    MemcachedClient client = XMemcachedTarget.connect(node);
    try {
      Map<InetSocketAddress, Map<String, String>> all = client.getStats();
      if (all.size() != 1) {
        throw new IllegalStateException("expected the stats of one node, got " + all.keySet());
      }
      Map<String, String> stats = all.values().iterator().next();
      Map<String, Long> wanted = new LinkedHashMap<>();
      for (String name : new String[] {"bytes", "curr_items", "evictions"}) {
        wanted.put(name, Long.parseLong(stats.get(name).trim()));
      }
      return wanted;
    } finally {
      client.shutdown();
    }
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new LinkedHashMap<>();
    after.forEach((name, value) -> delta.put(name, value - before.get(name)));
    return delta;
  }
}
