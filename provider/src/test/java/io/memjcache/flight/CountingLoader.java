package io.memjcache.flight;

import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;

/**
 * A loader that counts its calls in this JVM and takes {@code -Dflight.loadMillis} (default 200)
 * to answer {@code "value-of-<key>"}. With {@code -Dflight.hang=true} it announces
 * {@code LOADING} on standard output and never returns (to be killed mid-load); a key starting with
 * {@code fail} makes its first call throw.
 */
public final class CountingLoader implements CacheLoader<String, String>, Serializable {

  public static final AtomicInteger LOADS = new AtomicInteger();
  public static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

  @Override
  public String load(String key) {
    LOADS.incrementAndGet();
    try {
      if (Boolean.getBoolean("flight.hang")) {
        System.out.println("LOADING");
        System.out.flush();
        Thread.sleep(120_000);
      }
      Thread.sleep(Long.getLong("flight.loadMillis", 200));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (key.startsWith("fail") && FAILURES_LEFT.getAndDecrement() > 0) {
      throw new CacheLoaderException("the database is down for " + key);
    }
    return "value-of-" + key;
  }

  @Override
  public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
    java.util.Map<String, String> values = new java.util.HashMap<>();
    keys.forEach(key -> values.put(key, load(key)));
    return values;
  }
}
