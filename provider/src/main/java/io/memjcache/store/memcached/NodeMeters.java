package io.memjcache.store.memcached;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-node failure counters and single-key latency of one store, by configured node name. Counts
 * only grow; a node that leaves the membership keeps its counts (it may return).
 */
final class NodeMeters {

  /** The counters of one node. */
  static final class Meter {
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder timedCalls = new LongAdder();
    final LongAdder latencyNanos = new LongAdder();
  }

  private static final Meter NONE = new Meter();

  private final ConcurrentMap<String, Meter> meters = new ConcurrentHashMap<>();

  /** Adds one single-key call of {@code nanos} to {@code node}'s latency; a null node is ignored. */
  void timed(String node, long nanos) {
    if (node != null) {
      Meter meter = meter(node);
      meter.timedCalls.increment();
      meter.latencyNanos.add(nanos);
    }
  }

  /** Counts a failed call on {@code node}: a timeout, or an error of any other kind. */
  void failed(String node, Throwable cause) {
    if (node == null || cause instanceof InterruptedException) {
      return; // the caller gave up: nothing the node did
    }
    Meter meter = meter(node);
    (cause instanceof TimeoutException ? meter.timeouts : meter.errors).increment();
  }

  /** The counters of {@code node}, zero when it has none. */
  Meter of(String node) {
    return meters.getOrDefault(node, NONE);
  }

  static Duration latency(Meter meter) {
    return Duration.ofNanos(meter.latencyNanos.sum());
  }

  private Meter meter(String node) {
    return meters.computeIfAbsent(node, name -> new Meter());
  }
}
