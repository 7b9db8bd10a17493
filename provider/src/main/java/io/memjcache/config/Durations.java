package io.memjcache.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code 250ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601 {@code PT10M}. */
final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  /** The longest duration accepted anywhere: whole milliseconds that fit a long. */
  private static final Duration LONGEST = Duration.ofMillis(Long.MAX_VALUE);

  private Durations() {}

  /** A duration from zero to the longest a millisecond count holds (about 292 million years). */
  static Duration parse(String text, String key) {
    return parse(text, key, LONGEST);
  }

  /** A duration from zero to {@code max}; anything else is refused naming {@code key}. */
  static Duration parse(String text, String key, Duration max) {
    Duration duration = read(text, key);
    if (duration.isNegative() || duration.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "bad duration '" + text + "' for " + key + ": expected from 0 to " + describe(max));
    }
    return duration;
  }

  private static Duration read(String text, String key) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(value);
    try {
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
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (NumberFormatException | ArithmeticException e) {
      // digits beyond a long, or more seconds than a Duration holds
      throw new IllegalArgumentException("duration '" + text + "' for " + key + " is too long", e);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "bad duration '" + text + "' for " + key + ": expected e.g. 250ms, 30s, 10m, 2h, 1d or PT10M", e);
    }
  }

  private static String describe(Duration max) {
    return max.equals(LONGEST) ? Long.MAX_VALUE + "ms" : max.toDays() + "d";
  }
}
