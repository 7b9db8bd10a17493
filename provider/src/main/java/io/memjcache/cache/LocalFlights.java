package io.memjcache.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.cache.CacheException;

/**
 * Work in progress per key in this JVM, so that concurrent callers for one key share one run: the
 * first registers a flight, the others wait for its outcome. Per key, no global lock; a flight is
 * removed when it ends, so the table holds only keys being worked on.
 */
public final class LocalFlights {

  private final ConcurrentHashMap<String, CompletableFuture<Object>> running = new ConcurrentHashMap<>();

  /** A flight this caller started: {@link #finish} or {@link #fail} it exactly once. */
  public final class Flight {
    private final String key;
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();

    private Flight(String key) {
      this.key = key;
    }

    /** From now on, callers of this key start a flight of their own instead of joining this one. */
    public void close() {
      running.remove(key, outcome);
    }

    public void finish(Object result) {
      running.remove(key, outcome);
      outcome.complete(result);
    }

    public void fail(Throwable error) {
      running.remove(key, outcome);
      outcome.completeExceptionally(error);
    }
  }

  /** What {@link #start} found: a flight of this caller's, or another caller's outcome to wait for. */
  public record Start(Flight mine, CompletableFuture<Object> others) {}

  public Start start(String key) {
    Flight flight = new Flight(key);
    CompletableFuture<Object> existing = running.putIfAbsent(key, flight.outcome);
    return existing == null ? new Start(flight, null) : new Start(null, existing);
  }

  /** Thrown by {@link #await} when the other caller's flight outlasted the wait. */
  public static final class StillRunning extends Exception {
    StillRunning() {
      super(null, null, false, false);
    }
  }

  /**
   * Waits up to {@code millis} for another caller's flight; its result, or its failure rethrown
   * (a {@link RuntimeException} as it is, anything else wrapped in a {@link CacheException}).
   */
  public static Object await(CompletableFuture<Object> flight, long millis) throws StillRunning {
    try {
      return flight.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new StillRunning();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while waiting for another caller's load", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new CacheException("another caller's load failed: " + cause, cause);
    }
  }
}
