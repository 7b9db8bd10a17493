package io.memjcache.membership;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import javax.cache.Cache;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;

/**
 * One load thread of a model-checked test: random get/getAll/put/remove/invoke calls on random keys
 * through a random one of its caches, each write with a value no other write uses, each call
 * logged with its start and end on a clock shared by every call checked together.
 */
final class CallLoad {

  private CallLoad() {}

  /** Sets the value passed as its argument and returns the one it replaced. */
  static final class SetUnique implements EntryProcessor<String, String, String> {
    @Override
    public String process(MutableEntry<String, String> entry, Object... arguments) {
      String old = entry.exists() ? entry.getValue() : null;
      entry.setValue((String) arguments[0]);
      return old;
    }
  }

  /**
   * Runs until {@code stop} or {@code limitMillis}. {@code thread} must be unique among all
   * threads whose calls are checked together (it makes the values unique); calls through
   * {@code caches.get(i)} are logged as made by manager {@code firstManager + i}.
   */
  static void run(int thread, List<Cache<String, String>> caches, int firstManager, int keys, List<Call> log,
      AtomicBoolean stop, LongSupplier clock, long limitMillis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    EntryProcessor<String, String, String> setUnique = new SetUnique();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMillis);
    long counter = 0;
    while (!stop.get() && System.nanoTime() < deadline) {
      int index = random.nextInt(caches.size());
      Cache<String, String> cache = caches.get(index);
      int manager = firstManager + index;
      int key = random.nextInt(keys);
      int dice = random.nextInt(20);
      if (dice < 2) {
        getAll(cache, manager, keys, random, log, clock);
        continue;
      }
      int kind = dice < 8 ? Call.GET : dice < 13 ? Call.PUT : dice < 15 ? Call.REMOVE : Call.INVOKE;
      long written = kind == Call.PUT || kind == Call.INVOKE ? (thread + 1) * 1_000_000_000L + ++counter : 0;
      long seen = -1;
      String error = null;
      long start = clock.getAsLong();
      try {
        switch (kind) {
          case Call.GET -> seen = Call.parse(cache.get("k" + key));
          case Call.PUT -> cache.put("k" + key, "v" + written);
          case Call.REMOVE -> cache.remove("k" + key);
          default -> seen = Call.parse(cache.invoke("k" + key, setUnique, "v" + written));
        }
      } catch (RuntimeException e) { // a CacheException mostly; any other counts as an error too
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      log.add(new Call(key, kind, written, seen, start, clock.getAsLong(), error, manager));
    }
  }

  /** A getAll of three distinct keys (multi-get: another path through the store), logged per key. */
  private static void getAll(Cache<String, String> cache, int manager, int keys, ThreadLocalRandom random, List<Call> log,
      LongSupplier clock) {
    Set<String> asked = new LinkedHashSet<>();
    while (asked.size() < 3) {
      asked.add("k" + random.nextInt(keys));
    }
    Map<String, String> found = null;
    String error = null;
    long start = clock.getAsLong();
    try {
      found = cache.getAll(asked);
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    long end = clock.getAsLong();
    for (String key : asked) {
      long seen = found == null ? -1 : Call.parse(found.get(key));
      log.add(new Call(Integer.parseInt(key.substring(1)), Call.GET_ALL, 0, seen, start, end, error, manager));
    }
  }
}
