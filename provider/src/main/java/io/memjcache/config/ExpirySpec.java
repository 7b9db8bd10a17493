package io.memjcache.config;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.Factory;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

/**
 * A JCache built-in expiry policy written as text: {@code eternal}, or {@code created:10m},
 * {@code accessed:30s}, {@code modified:1h}, {@code touched:5m}.
 */
public record ExpirySpec(String kind, Duration duration) {

  static ExpirySpec parse(String text, String key) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("eternal")) {
      return new ExpirySpec("eternal", null);
    }
    int colon = value.indexOf(':');
    String kind = colon < 0 ? value : value.substring(0, colon);
    if (colon < 0 || !(kind.equals("created") || kind.equals("accessed") || kind.equals("modified") || kind.equals("touched"))) {
      throw new IllegalArgumentException(
          "bad expiry '" + text + "' for " + key + ": expected eternal, created:<duration>, accessed:<duration>,"
              + " modified:<duration> or touched:<duration>");
    }
    return new ExpirySpec(kind, Durations.parse(value.substring(colon + 1), key));
  }

  public Factory<ExpiryPolicy> toFactory() {
    if (duration == null) {
      return EternalExpiryPolicy.factoryOf();
    }
    javax.cache.expiry.Duration jcache = new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS, duration.toMillis());
    return switch (kind) {
      case "created" -> CreatedExpiryPolicy.factoryOf(jcache);
      case "accessed" -> AccessedExpiryPolicy.factoryOf(jcache);
      case "modified" -> ModifiedExpiryPolicy.factoryOf(jcache);
      default -> TouchedExpiryPolicy.factoryOf(jcache);
    };
  }
}
