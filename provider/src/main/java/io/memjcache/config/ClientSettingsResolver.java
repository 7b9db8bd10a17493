package io.memjcache.config;

import io.memjcache.config.ClientSettings.FailureMode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Resolves {@link ClientSettings} for a CacheManager.
 *
 * <p>Each setting is looked up, first match wins, in: the URI ({@code
 * memcached://host1:11211,host2:11211?namespace=shop} — the authority is the server list, the
 * query holds settings without the {@code memjcache.} prefix), the CacheManager {@code
 * Properties}, JVM system properties, the environment ({@code MEMJCACHE_SERVERS} style), and the
 * default. A URI of any other scheme (such as the provider's default URI) only names the manager.
 *
 * <p>Unknown {@code memjcache.*} keys in the URI or the Properties are refused with an {@link
 * IllegalArgumentException} naming the key, so a typo never silently falls back to a default.
 */
public final class ClientSettingsResolver {

  /** The URI scheme whose authority is the server list. */
  public static final String SCHEME = "memcached";

  public static final String PREFIX = "memjcache.";
  public static final String SERVERS = "servers";
  public static final String NAMESPACE = "namespace";
  public static final String OPERATION_TIMEOUT_MILLIS = "operationTimeoutMillis";
  public static final String CONNECT_TIMEOUT_MILLIS = "connectTimeoutMillis";
  public static final String CONNECTION_POOL_SIZE = "connectionPoolSize";
  public static final String FAILURE_MODE = "failureMode";
  public static final String DESERIALIZATION_ALLOWLIST = "deserialization.allowlist";
  public static final String MAX_CAS_RETRIES = "maxCasRetries";

  /** Every setting with its default (null: computed). */
  private static final Map<String, String> DEFAULTS =
      Map.of(
          SERVERS, "127.0.0.1:11211",
          NAMESPACE, "memjcache",
          OPERATION_TIMEOUT_MILLIS, "2000",
          CONNECT_TIMEOUT_MILLIS, "5000",
          CONNECTION_POOL_SIZE, "1",
          FAILURE_MODE, "fail-fast",
          DESERIALIZATION_ALLOWLIST, "",
          MAX_CAS_RETRIES, "100");

  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;

  public ClientSettingsResolver() {
    this(System::getProperty, System::getenv);
  }

  /** For tests: the system-property and environment lookups are injected. */
  ClientSettingsResolver(
      Function<String, String> systemProperties, Function<String, String> environment) {
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  public ClientSettings resolve(URI uri, Properties properties) {
    Map<String, String> fromUri = uriSettings(uri);
    checkKnown(properties.stringPropertyNames(), "CacheManager properties");
    Function<String, String> lookup =
        key -> {
          String value = fromUri.get(key);
          if (value == null) {
            value = properties.getProperty(PREFIX + key);
          }
          if (value == null) {
            value = systemProperties.apply(PREFIX + key);
          }
          if (value == null) {
            value = environment.apply(environmentName(key));
          }
          return value == null ? DEFAULTS.get(key) : value;
        };
    return new ClientSettings(
        parseServers(lookup.apply(SERVERS)),
        nonEmpty(lookup.apply(NAMESPACE), NAMESPACE),
        Duration.ofMillis(parseLong(lookup.apply(OPERATION_TIMEOUT_MILLIS), OPERATION_TIMEOUT_MILLIS)),
        Duration.ofMillis(parseLong(lookup.apply(CONNECT_TIMEOUT_MILLIS), CONNECT_TIMEOUT_MILLIS)),
        (int) parseLong(lookup.apply(CONNECTION_POOL_SIZE), CONNECTION_POOL_SIZE),
        parseFailureMode(lookup.apply(FAILURE_MODE)),
        parseList(lookup.apply(DESERIALIZATION_ALLOWLIST)),
        (int) parseLong(lookup.apply(MAX_CAS_RETRIES), MAX_CAS_RETRIES));
  }

  /** {@code memjcache.operationTimeoutMillis} is read from {@code MEMJCACHE_OPERATION_TIMEOUT_MILLIS}. */
  static String environmentName(String key) {
    StringBuilder name = new StringBuilder("MEMJCACHE_");
    for (char c : key.toCharArray()) {
      if (Character.isUpperCase(c)) {
        name.append('_').append(c);
      } else if (c == '.') {
        name.append('_');
      } else {
        name.append(Character.toUpperCase(c));
      }
    }
    return name.toString();
  }

  private static Map<String, String> uriSettings(URI uri) {
    if (uri == null || !SCHEME.equalsIgnoreCase(uri.getScheme())) {
      return Map.of();
    }
    Map<String, String> settings = new java.util.HashMap<>();
    String authority = uri.getRawAuthority();
    if (authority != null && !authority.isBlank()) {
      settings.put(SERVERS, URLDecoder.decode(authority, StandardCharsets.UTF_8));
    }
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "bad setting '" + pair + "' in CacheManager URI " + uri + ": expected key=value");
        }
        String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        if (!DEFAULTS.containsKey(key)) {
          throw new IllegalArgumentException(
              "unknown setting '" + key + "' in CacheManager URI " + uri + "; known: " + DEFAULTS.keySet());
        }
        settings.put(key, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return settings;
  }

  private static void checkKnown(Set<String> names, String where) {
    for (String name : names) {
      if (name.startsWith(PREFIX) && !DEFAULTS.containsKey(name.substring(PREFIX.length()))) {
        throw new IllegalArgumentException(
            "unknown setting '" + name + "' in " + where + "; known: " + knownNames());
      }
    }
  }

  private static List<String> knownNames() {
    return DEFAULTS.keySet().stream().map(k -> PREFIX + k).sorted().toList();
  }

  static List<ServerAddress> parseServers(String list) {
    List<ServerAddress> servers = new ArrayList<>();
    for (String part : list.split("[,\\s]+")) {
      if (!part.isBlank()) {
        servers.add(ServerAddress.parse(part));
      }
    }
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("memjcache.servers is empty: name at least one host:port");
    }
    if (servers.stream().map(ServerAddress::name).distinct().count() != servers.size()) {
      throw new IllegalArgumentException("memjcache.servers names a server twice: " + list);
    }
    return servers;
  }

  private static FailureMode parseFailureMode(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "fail-fast", "failfast", "fail_fast" -> FailureMode.FAIL_FAST;
      case "fail-over", "failover", "fail_over" -> FailureMode.FAIL_OVER;
      default -> throw new IllegalArgumentException(
          "bad value '" + value + "' for " + PREFIX + FAILURE_MODE + ": expected fail-fast or fail-over");
    };
  }

  private static long parseLong(String value, String key) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bad value '" + value + "' for " + PREFIX + key + ": expected a whole number", e);
    }
  }

  private static String nonEmpty(String value, String key) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(PREFIX + key + " must not be empty");
    }
    return value.trim();
  }

  private static List<String> parseList(String value) {
    return Arrays.stream(value.split("[;,\\s]+")).filter(s -> !s.isBlank()).toList();
  }
}
