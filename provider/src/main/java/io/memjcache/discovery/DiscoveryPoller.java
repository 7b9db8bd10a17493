package io.memjcache.discovery;

import io.memjcache.config.ClusterMember;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.cache.CacheException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a {@link ClusterDiscovery} for the membership every interval, on one daemon thread, and
 * hands a changed node list to {@code onChange}.
 *
 * <ul>
 *   <li>{@code onChange} is called only when the node list (names, weights, addresses) differs
 *       from the last one applied, never with an empty list, and never concurrently with itself.
 *   <li>An answer whose version is lower than the last applied one is ignored (versions are
 *       compared only when both answers carry one): an endpoint lagging behind another never
 *       takes the membership back.
 *   <li>A failed answer (unreachable, timed out, garbled) keeps the current membership; the first
 *       failure of a run is logged as one warning naming the source, the recovery as one info.
 *   <li>When {@code onChange} throws, the change is not recorded as applied and is offered again
 *       at the next poll.
 * </ul>
 */
public final class DiscoveryPoller implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryPoller.class);

  private final ClusterDiscovery source;
  private final Duration interval;
  private final Consumer<List<ClusterMember>> onChange;
  private final String threadName;
  /** Serializes polls: the timer's and {@link #pollNow()}'s. */
  private final Object pollLock = new Object();

  // Written under pollLock.
  private volatile List<ClusterMember> applied;
  private volatile long appliedVersion = DiscoveredCluster.NO_VERSION;
  private boolean failing;
  private boolean applyFailing;
  private ScheduledExecutorService timer; // guarded by this
  private volatile boolean closed;
  private volatile Thread pollerThread;

  /**
   * @param source where the membership comes from; closed with this poller
   * @param interval time between two polls
   * @param onChange called with the new node list when it changes
   * @param threadName the polling thread's name
   */
  public DiscoveryPoller(
      ClusterDiscovery source, Duration interval, Consumer<List<ClusterMember>> onChange, String threadName) {
    this.source = Objects.requireNonNull(source, "source");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.threadName = Objects.requireNonNull(threadName, "threadName");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("discovery interval must be positive: " + interval);
    }
  }

  /**
   * The first membership, read now (when the CacheManager connects) and recorded as applied.
   *
   * @throws CacheException naming the source when it cannot be read
   */
  public List<ClusterMember> initial() {
    synchronized (pollLock) {
      requireOpen();
      DiscoveredCluster first;
      try {
        first = source.discover();
      } catch (Exception e) {
        throw new CacheException("memcached cluster discovery from " + source + " failed: " + e.getMessage(), e);
      }
      record(first);
      return applied;
    }
  }

  /** Starts polling on the daemon thread, the first poll one interval from now. Call after {@link #initial()}. */
  public synchronized void start() {
    requireOpen();
    requireInitial();
    if (timer != null) {
      throw new IllegalStateException("discovery poller " + threadName + " already started");
    }
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      pollerThread = thread;
      return thread;
    });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    long nanos = interval.toNanos();
    executor.scheduleWithFixedDelay(this::pollNow, nanos, nanos, TimeUnit.NANOSECONDS);
    timer = executor;
  }

  /**
   * Polls once, now, on the calling thread, and applies a change as the timer does (for tests and
   * management operations). Does nothing once closed.
   */
  public void pollNow() {
    synchronized (pollLock) {
      if (closed) {
        return;
      }
      requireInitial();
      DiscoveredCluster answer;
      try {
        answer = source.discover();
      } catch (Exception e) { // IOException, or a bug in a source: neither may stop the polling
        if (!failing) {
          failing = true;
          LOG.warn("memcached cluster discovery from {} failed, keeping the {} current nodes until it answers: {}",
              source, applied.size(), e.toString());
        }
        return;
      }
      if (failing) {
        failing = false;
        LOG.info("memcached cluster discovery from {} answers again", source);
      }
      if (answer.versioned() && appliedVersion != DiscoveredCluster.NO_VERSION && answer.version() < appliedVersion) {
        LOG.debug("ignoring membership version {} from {}: version {} is applied", answer.version(), source, appliedVersion);
        return;
      }
      if (answer.members().equals(applied)) {
        appliedVersion = answer.versioned() ? answer.version() : appliedVersion;
        return;
      }
      if (closed) {
        return; // closed while the source answered: the membership's owner is going away
      }
      try {
        onChange.accept(answer.members());
      } catch (RuntimeException e) {
        if (!applyFailing) {
          applyFailing = true;
          LOG.warn("applying the membership from {} ({} nodes) failed; offered again at every poll: {}",
              source, answer.members().size(), e.toString());
        }
        return;
      }
      applyFailing = false;
      LOG.info("memcached cluster membership from {} changed to {} nodes{}: {}", source, answer.members().size(),
          answer.versioned() ? " (version " + answer.version() + ")" : "", shown(answer.members()));
      record(answer);
    }
  }

  /** The node list last applied (null before {@link #initial()}); never waits for a poll. */
  public List<ClusterMember> applied() {
    return applied;
  }

  /** The version last applied, or {@link DiscoveredCluster#NO_VERSION}; never waits for a poll. */
  public long appliedVersion() {
    return appliedVersion;
  }

  /**
   * Stops the polling thread and closes the source. Idempotent. Waits for a poll in progress
   * (bounded by the source's timeout), so {@code onChange} is never called after this returns.
   */
  @Override
  public void close() {
    ScheduledExecutorService stopping;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = timer;
    }
    if (stopping != null) {
      stopping.shutdownNow();
      if (Thread.currentThread() != pollerThread) {
        try {
          stopping.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    synchronized (pollLock) {
      // A pollNow() on another thread has finished: closed is set, so no later one applies anything.
    }
    try {
      source.close();
    } catch (Exception e) {
      LOG.warn("closing memcached cluster discovery {} failed: {}", source, e.toString());
    }
  }

  /** The first nodes of a list, for a log line that stays short with thousands of nodes. */
  private static String shown(List<ClusterMember> members) {
    int limit = 20;
    String first = members.subList(0, Math.min(limit, members.size())).toString();
    return members.size() <= limit ? first : first + " and " + (members.size() - limit) + " more";
  }

  private void record(DiscoveredCluster answer) {
    applied = answer.members();
    appliedVersion = answer.versioned() ? answer.version() : DiscoveredCluster.NO_VERSION;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("discovery poller " + threadName + " is closed");
    }
  }

  private void requireInitial() {
    if (applied == null) {
      throw new IllegalStateException("discovery poller " + threadName + ": call initial() first");
    }
  }

  @Override
  public String toString() {
    return "DiscoveryPoller[" + source + " every " + interval.toMillis() + "ms]";
  }
}
