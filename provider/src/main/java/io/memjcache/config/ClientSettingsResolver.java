package io.memjcache.config;

import io.memjcache.config.ClientSettings.FailureMode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Resolves a CacheManager's {@link ManagerSettings}.
 *
 * <p>Each setting is looked up, first match wins, in: the URI ({@code
 * memcached://host1:11211,host2:11211?namespace=shop} — the authority is the server list, the
 * query holds settings without the {@code memjcache.} prefix), the configuration file the URI names
 * ({@code classpath:memjcache.properties}, {@code file:...}), the CacheManager {@code Properties},
 * JVM system properties, the environment ({@code MEMJCACHE_SERVERS} style, client settings only),
 * and the default. Any other URI (such as the provider's default URI) only names the manager.
 *
 * <p>Per-cache settings are {@code memjcache.cache.<name>.<setting>}, falling back to {@code
 * memjcache.cache.default.<setting>}. Unknown keys or bad values in the URI, the file or the
 * Properties are refused with an {@link IllegalArgumentException} naming the key and where it was.
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
  public static final String READ_FAILURE_AS_MISS = "readFailureAsMiss";
  /** A secret: never accepted in a CacheManager URI, which shows up in JMX names and logs. */
  public static final String INTEGRITY_SECRET = "integrity.secret";
  /** SASL PLAIN credentials; the password, a secret, is never accepted in a URI either. */
  public static final String USERNAME = "username";
  public static final String PASSWORD = "password";

  /** Per-cache settings: {@code memjcache.cache.<name>.<setting>}. */
  public static final String CACHE = "cache.";
  public static final String DEFAULT_CACHE = "default";
  public static final String NEAR_CACHE_MAX_ENTRIES = "nearCache.maxEntries";
  public static final String NEAR_CACHE_STALENESS = "nearCache.staleness";
  public static final String EXPIRY = "expiry";
  public static final String STATISTICS = "statistics";
  public static final String MANAGEMENT = "management";
  public static final String SERIALIZER = "serializer";

  /** Every client setting with its default. */
  private static final Map<String, String> DEFAULTS =
      Map.ofEntries(
          Map.entry(SERVERS, "127.0.0.1:11211"),
          Map.entry(NAMESPACE, "memjcache"),
          Map.entry(OPERATION_TIMEOUT_MILLIS, "2000"),
          Map.entry(CONNECT_TIMEOUT_MILLIS, "5000"),
          Map.entry(CONNECTION_POOL_SIZE, "1"),
          Map.entry(FAILURE_MODE, "fail-fast"),
          Map.entry(DESERIALIZATION_ALLOWLIST, ""),
          Map.entry(MAX_CAS_RETRIES, "100"),
          Map.entry(READ_FAILURE_AS_MISS, "false"),
          Map.entry(INTEGRITY_SECRET, ""),
          Map.entry(USERNAME, ""),
          Map.entry(PASSWORD, ""));

  /** Every per-cache setting with its default (null: none). */
  private static final Map<String, String> CACHE_DEFAULTS = new HashMap<>();

  static {
    CACHE_DEFAULTS.put(NEAR_CACHE_MAX_ENTRIES, "0");
    CACHE_DEFAULTS.put(NEAR_CACHE_STALENESS, "1s");
    CACHE_DEFAULTS.put(DESERIALIZATION_ALLOWLIST, "");
    CACHE_DEFAULTS.put(EXPIRY, null);
    CACHE_DEFAULTS.put(STATISTICS, "false");
    CACHE_DEFAULTS.put(MANAGEMENT, "false");
    CACHE_DEFAULTS.put(SERIALIZER, "default");
  }

  /** One place settings come from. */
  private record Layer(String name, Function<String, String> lookup) {}

  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;

  public ClientSettingsResolver() {
    this(System::getProperty, System::getenv);
  }

  /** For tests: the system-property and environment lookups are injected. */
  ClientSettingsResolver(Function<String, String> systemProperties, Function<String, String> environment) {
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  /** Client settings only (no configuration file). */
  public ClientSettings resolve(URI uri, Properties properties) {
    return resolve(uri, properties, null).client();
  }

  public ManagerSettings resolve(URI uri, Properties properties, ClassLoader classLoader) {
    List<Layer> layers = new ArrayList<>();
    Set<String> declared = new LinkedHashSet<>();
    if (uri != null && SCHEME.equalsIgnoreCase(uri.getScheme())) {
      Map<String, String> fromUri = uriSettings(uri);
      layers.add(new Layer("CacheManager URI " + uri, fromUri::get));
    } else if (uri != null && ConfigurationFile.isConfigurationFile(uri)) {
      Properties file = ConfigurationFile.load(uri, classLoader);
      String where = "configuration file " + uri;
      for (String key : file.stringPropertyNames()) {
        if (!key.startsWith(PREFIX)) {
          throw new IllegalArgumentException("unknown setting '" + key + "' in " + where + ": every key starts with memjcache.");
        }
        String cache = checkKnown(key, where);
        if (cache != null && !cache.equals(DEFAULT_CACHE)) {
          declared.add(cache);
        }
      }
      layers.add(new Layer(where, file::getProperty));
    }
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith(PREFIX)) {
        checkKnown(key, "CacheManager properties");
      }
    }
    layers.add(new Layer("CacheManager properties", properties::getProperty));
    layers.add(new Layer("system properties", systemProperties));

    Function<String, String> client = key -> clientSetting(layers, key);
    ClientSettings settings = new ClientSettings(
        parseServers(client.apply(SERVERS)),
        nonEmpty(client.apply(NAMESPACE), NAMESPACE),
        Duration.ofMillis(parseLong(client.apply(OPERATION_TIMEOUT_MILLIS), OPERATION_TIMEOUT_MILLIS)),
        Duration.ofMillis(parseLong(client.apply(CONNECT_TIMEOUT_MILLIS), CONNECT_TIMEOUT_MILLIS)),
        (int) parseLong(client.apply(CONNECTION_POOL_SIZE), CONNECTION_POOL_SIZE),
        parseFailureMode(client.apply(FAILURE_MODE)),
        parseList(client.apply(DESERIALIZATION_ALLOWLIST)),
        (int) parseLong(client.apply(MAX_CAS_RETRIES), MAX_CAS_RETRIES),
        parseBoolean(client.apply(READ_FAILURE_AS_MISS), PREFIX + READ_FAILURE_AS_MISS),
        Secret.of(client.apply(INTEGRITY_SECRET)),
        client.apply(USERNAME),
        Secret.of(client.apply(PASSWORD)));
    Function<String, CacheSettings> caches = name -> cacheSettings(layers, name);
    for (String name : declared) {
      caches.apply(name); // bad values of declared caches fail now, at getCacheManager
    }
    caches.apply(DEFAULT_CACHE);
    return new ManagerSettings(settings, caches, declared);
  }

  private String clientSetting(List<Layer> layers, String key) {
    for (Layer layer : layers) {
      String value = layer.lookup().apply(PREFIX + key);
      if (value != null) {
        return value;
      }
    }
    String value = environment.apply(environmentName(key));
    return value == null ? DEFAULTS.get(key) : value;
  }

  private static CacheSettings cacheSettings(List<Layer> layers, String name) {
    Function<String, String> lookup = setting -> {
      for (String section : List.of(name, DEFAULT_CACHE)) {
        for (Layer layer : layers) {
          String value = layer.lookup().apply(PREFIX + CACHE + section + "." + setting);
          if (value != null) {
            return value;
          }
        }
      }
      return CACHE_DEFAULTS.get(setting);
    };
    String where = PREFIX + CACHE + name + ".";
    String expiry = lookup.apply(EXPIRY);
    return new CacheSettings(
        (int) parseLong(lookup.apply(NEAR_CACHE_MAX_ENTRIES), CACHE + name + "." + NEAR_CACHE_MAX_ENTRIES),
        Durations.parse(lookup.apply(NEAR_CACHE_STALENESS), where + NEAR_CACHE_STALENESS),
        parseList(lookup.apply(DESERIALIZATION_ALLOWLIST)),
        expiry == null ? null : ExpirySpec.parse(expiry, where + EXPIRY),
        parseBoolean(lookup.apply(STATISTICS), where + STATISTICS),
        parseBoolean(lookup.apply(MANAGEMENT), where + MANAGEMENT),
        parseSerializer(lookup.apply(SERIALIZER), where + SERIALIZER));
  }

  /**
   * Refuses an unknown key; returns the cache name of a per-cache key, else null. Cache names may
   * hold dots (Hibernate regions do), so the setting is matched at the end of the key.
   */
  private static String checkKnown(String key, String where) {
    String setting = key.substring(PREFIX.length());
    if (DEFAULTS.containsKey(setting)) {
      return null;
    }
    if (setting.startsWith(CACHE)) {
      String rest = setting.substring(CACHE.length());
      for (String known : CACHE_DEFAULTS.keySet()) {
        if (rest.endsWith("." + known) && rest.length() > known.length() + 1) {
          return rest.substring(0, rest.length() - known.length() - 1);
        }
      }
      throw new IllegalArgumentException(
          "unknown setting '" + key + "' in " + where + "; per-cache settings are memjcache.cache.<name>.<setting>"
              + " with <setting> one of " + CACHE_DEFAULTS.keySet().stream().sorted().toList());
    }
    throw new IllegalArgumentException(
        "unknown setting '" + key + "' in " + where + "; known: "
            + DEFAULTS.keySet().stream().map(k -> PREFIX + k).sorted().toList() + " and memjcache.cache.<name>.<setting>");
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

  /** {@code uri} as it may be shown: the value of a secret given in its query is masked. */
  public static String redact(URI uri) {
    String text = String.valueOf(uri);
    return text.replaceAll("(?i)(integrity\\.secret|integrity%2Esecret|password)=[^&#]*", "$1=******");
  }

  private static Map<String, String> uriSettings(URI uri) {
    Map<String, String> settings = new HashMap<>();
    String authority = uri.getRawAuthority();
    if (authority != null && !authority.isBlank()) {
      settings.put(PREFIX + SERVERS, URLDecoder.decode(authority, StandardCharsets.UTF_8));
    }
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("bad setting '" + pair + "' in CacheManager URI " + uri + ": expected key=value");
        }
        String key = PREFIX + URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        if (key.equals(PREFIX + INTEGRITY_SECRET) || key.equals(PREFIX + PASSWORD)) {
          // Not echoing the URI: it holds the secret.
          throw new IllegalArgumentException(
              key + " may not be given in a CacheManager URI (URIs appear in JMX names and logs): set it in"
                  + " the CacheManager properties, a configuration file, the system property or "
                  + environmentName(key.substring(PREFIX.length())));
        }
        checkKnown(key, "CacheManager URI " + uri);
        settings.put(key, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return settings;
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
      throw new IllegalArgumentException("bad value '" + value + "' for " + PREFIX + key + ": expected a whole number", e);
    }
  }

  private static boolean parseBoolean(String value, String key) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("bad value '" + value + "' for " + key + ": expected true or false");
    };
  }

  /** {@code default} (or {@code java}) keeps the built-in encodings; anything else is a class name. */
  private static String parseSerializer(String value, String key) {
    String name = value.trim();
    if (name.equals("default") || name.equals("java")) {
      return null;
    }
    if (!name.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
      throw new IllegalArgumentException("bad value '" + value + "' for " + key + ": expected default or a class name");
    }
    return name;
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
