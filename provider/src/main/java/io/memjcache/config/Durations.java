package io.memjcache.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code 250ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601 {@code PT10M}. */
final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  static Duration parse(String text, String key) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(value);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "bad duration '" + text + "' for " + key + ": expected e.g. 250ms, 30s, 10m, 2h, 1d or PT10M", e);
    }
  }
}
