package io.memjcache.expiry;

import io.memjcache.codec.Envelope;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a JCache {@link ExpiryPolicy}: turns its durations into absolute expiry instants in
 * epoch milliseconds. Each method calls the policy exactly once (the TCK counts the calls).
 *
 * <p>A policy that throws or returns null leaves the expiry unchanged (on creation: eternal), as
 * the specification requires.
 */
public final class ExpiryCalculator {

  private static final Logger LOG = LoggerFactory.getLogger(ExpiryCalculator.class);

  private final ExpiryPolicy policy;

  public ExpiryCalculator(ExpiryPolicy policy) {
    this.policy = policy;
  }

  public ExpiryPolicy policy() {
    return policy;
  }

  /**
   * True for the JSR-107 built-in policies, whose answers are constants: asking one costs nothing
   * observable, so a write may ask before it knows it will create an entry (one round trip
   * instead of two). A user's policy is asked only when the answer is used, as the spec counts.
   */
  public boolean isSideEffectFree() {
    Class<?> type = policy.getClass();
    return type == EternalExpiryPolicy.class
        || type == CreatedExpiryPolicy.class
        || type == ModifiedExpiryPolicy.class
        || type == AccessedExpiryPolicy.class
        || type == TouchedExpiryPolicy.class;
  }

  /**
   * True when a write's expiry does not depend on what it overwrites: the built-in eternal,
   * modified and touched policies give an update the same lifetime as a creation. A put may then
   * store without reading first (one round trip instead of two).
   */
  public boolean isWriteHistoryFree() {
    Class<?> type = policy.getClass();
    return type == EternalExpiryPolicy.class
        || type == ModifiedExpiryPolicy.class
        || type == TouchedExpiryPolicy.class;
  }

  /**
   * True when an access never changes an entry's expiry: the built-in eternal, created and
   * modified policies. A read may then be answered without telling memcached (a near-cache hit).
   * A user's policy is asked on every access, as the spec counts.
   */
  public boolean isAccessFree() {
    Class<?> type = policy.getClass();
    return type == EternalExpiryPolicy.class
        || type == CreatedExpiryPolicy.class
        || type == ModifiedExpiryPolicy.class;
  }

  /** Expiry of a newly created entry; {@code <= now} means it must not be stored at all. */
  public long onCreation(long now) {
    Duration duration;
    try {
      duration = policy.getExpiryForCreation();
    } catch (RuntimeException e) {
      LOG.warn("expiry policy {} failed on creation; the entry never expires", policy, e);
      duration = null;
    }
    return duration == null ? Envelope.NEVER : expiresAt(duration, now);
  }

  /** Expiry after an update; {@code current} when the policy keeps it. */
  public long onUpdate(long now, long current) {
    Duration duration;
    try {
      duration = policy.getExpiryForUpdate();
    } catch (RuntimeException e) {
      LOG.warn("expiry policy {} failed on update; expiry unchanged", policy, e);
      duration = null;
    }
    return duration == null ? current : expiresAt(duration, now);
  }

  /** Expiry after an access; {@code current} when the policy keeps it. */
  public long onAccess(long now, long current) {
    Duration duration;
    try {
      duration = policy.getExpiryForAccess();
    } catch (RuntimeException e) {
      LOG.warn("expiry policy {} failed on access; expiry unchanged", policy, e);
      duration = null;
    }
    return duration == null ? current : expiresAt(duration, now);
  }

  private static long expiresAt(Duration duration, long now) {
    if (duration.isEternal()) {
      return Envelope.NEVER;
    }
    if (duration.isZero()) {
      return now;
    }
    long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
    long at = now + millis;
    return at < now ? Envelope.NEVER : at;
  }
}
