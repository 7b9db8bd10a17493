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
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

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
 * memjcache.cache.default.<setting>}. Unknown keys or bad values in the URI, the file, the
 * Properties or the system properties are refused with an {@link IllegalArgumentException} naming
 * the key and where it was. A URI holding user info ({@code user:password@}) or a secret setting is
 * refused without echoing it: URIs appear in JMX names, logs and messages.
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
  /** How long after a membership change moved keys are handled with care (see README "Changing the cluster"). */
  public static final String MEMBERSHIP_SETTLE = "membership.settle";
  /** {@code dns:<name>:<port>} or {@code elasticache:<host>:<port>}; empty: the static servers. */
  public static final String DISCOVERY = "discovery";
  public static final String DISCOVERY_INTERVAL = "discovery.interval";

  /** Per-cache settings: {@code memjcache.cache.<name>.<setting>}. */
  public static final String CACHE = "cache.";
  public static final String DEFAULT_CACHE = "default";
  public static final String NEAR_CACHE_MAX_ENTRIES = "nearCache.maxEntries";
  public static final String NEAR_CACHE_STALENESS = "nearCache.staleness";
  public static final String EXPIRY = "expiry";
  public static final String STATISTICS = "statistics";
  public static final String MANAGEMENT = "management";
  public static final String SERIALIZER = "serializer";
  public static final String SINGLE_FLIGHT = "singleFlight";
  public static final String LOAD_LEASE = "loadLease";

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
          Map.entry(MEMBERSHIP_SETTLE, "10s"),
          Map.entry(INTEGRITY_SECRET, ""),
          Map.entry(USERNAME, ""),
          Map.entry(PASSWORD, ""),
          Map.entry(DISCOVERY, ""),
          Map.entry(DISCOVERY_INTERVAL, "10s"));

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
    CACHE_DEFAULTS.put(SINGLE_FLIGHT, "true");
    CACHE_DEFAULTS.put(LOAD_LEASE, "5s");
  }

  /** Whole-number settings with the range each accepts (timeouts in milliseconds fit an int). */
  private static final long MAX_INT = Integer.MAX_VALUE;

  /** A near cache's staleness bound: beyond a year it is no bound (and nanosecond arithmetic nears overflow). */
  private static final Duration MAX_STALENESS = Duration.ofDays(365);
  /** A load's lease: memcached keeps it for whole seconds, relative lifetimes up to 30 days. */
  private static final Duration MAX_LOAD_LEASE = Duration.ofDays(1);
  private static final Duration MAX_MEMBERSHIP_SETTLE = Duration.ofHours(1);

  /** One place settings come from. */
  private record Layer(String name, Function<String, String> lookup) {}

  /** A setting's value and where it was found (for messages), or the default. */
  private record Found(String value, String where) {}

  private final Supplier<Properties> systemProperties;
  private final Function<String, String> environment;

  public ClientSettingsResolver() {
    this(System::getProperties, System::getenv);
  }

  /** For tests: the system properties and the environment lookup are injected. */
  ClientSettingsResolver(Supplier<Properties> systemProperties, Function<String, String> environment) {
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
    if (uri != null) {
      refuseSecrets(uri);
    }
    if (uri != null && SCHEME.equalsIgnoreCase(uri.getScheme())) {
      Map<String, String> fromUri = uriSettings(uri);
      layers.add(new Layer("CacheManager URI " + redact(uri), fromUri::get));
    } else if (uri != null && ConfigurationFile.isConfigurationFile(uri)) {
      Properties file = ConfigurationFile.load(uri, classLoader);
      String where = "configuration file " + redact(uri);
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
    Properties system = systemProperties.get();
    for (String key : system.stringPropertyNames()) {
      if (key.startsWith(PREFIX)) {
        // A typo in -Dmemjcache.… would otherwise be ignored silently.
        checkKnown(key, "system properties");
      }
    }
    layers.add(new Layer("system properties", system::getProperty));

    DiscoverySettings discovery = discovery(layers);
    ClientSettings settings = new ClientSettings(
        discovery == null ? clientSetting(layers, SERVERS, (v, k) -> parseServers(v)) : List.of(),
        clientSetting(layers, NAMESPACE, ClientSettingsResolver::nonEmpty),
        Duration.ofMillis(clientSetting(layers, OPERATION_TIMEOUT_MILLIS, (v, k) -> parseNumber(v, k, 1, MAX_INT))),
        Duration.ofMillis(clientSetting(layers, CONNECT_TIMEOUT_MILLIS, (v, k) -> parseNumber(v, k, 1, MAX_INT))),
        clientSetting(layers, CONNECTION_POOL_SIZE, (v, k) -> parseNumber(v, k, 1, 1024)).intValue(),
        clientSetting(layers, FAILURE_MODE, (v, k) -> parseFailureMode(v)),
        parseList(clientSetting(layers, DESERIALIZATION_ALLOWLIST, (v, k) -> v)),
        clientSetting(layers, MAX_CAS_RETRIES, (v, k) -> parseNumber(v, k, 1, MAX_INT)).intValue(),
        clientSetting(layers, READ_FAILURE_AS_MISS, ClientSettingsResolver::parseBoolean),
        Secret.of(clientSetting(layers, INTEGRITY_SECRET, (v, k) -> v)),
        clientSetting(layers, USERNAME, (v, k) -> v),
        Secret.of(clientSetting(layers, PASSWORD, (v, k) -> v)),
        clientSetting(layers, MEMBERSHIP_SETTLE, (v, k) -> Durations.parse(v, k, MAX_MEMBERSHIP_SETTLE)),
        discovery,
        discoveryInterval(layers));
    Function<String, CacheSettings> caches = name -> cacheSettings(layers, name);
    for (String name : declared) {
      caches.apply(name); // bad values of declared caches fail now, at getCacheManager
    }
    caches.apply(DEFAULT_CACHE);
    return new ManagerSettings(settings, caches, declared);
  }

  /** {@code memjcache.discovery.interval}: also how often configured host names are resolved again. */
  private Duration discoveryInterval(List<Layer> layers) {
    return clientSetting(layers, DISCOVERY_INTERVAL, (v, k) -> {
      Duration d = Durations.parse(v, k, DiscoverySettings.MAX_INTERVAL);
      if (d.compareTo(DiscoverySettings.MIN_INTERVAL) < 0) {
        throw new IllegalArgumentException("bad duration '" + v + "' for " + k + ": expected from 100ms to 1d");
      }
      return d;
    });
  }

  /**
   * {@code memjcache.discovery} with its interval, or null when the servers are static. The
   * interval is checked even then, so a bad value never waits for discovery to be switched on.
   */
  private DiscoverySettings discovery(List<Layer> layers) {
    Duration interval = discoveryInterval(layers);
    DiscoverySettings discovery = clientSetting(layers, DISCOVERY,
        (v, k) -> v.isBlank() ? null : DiscoverySettings.parse(v, interval, k));
    if (discovery != null) {
      String servers = explicitlySet(layers, SERVERS);
      if (servers != null) {
        throw new IllegalArgumentException(
            PREFIX + DISCOVERY + " and " + PREFIX + SERVERS + " (set in " + servers + ") exclude each other:"
                + " the discovered nodes are the membership; remove one of them");
      }
    }
    return discovery;
  }

  /** Where client setting {@code key} is given (not defaulted), or null. */
  private String explicitlySet(List<Layer> layers, String key) {
    for (Layer layer : layers) {
      if (layer.lookup().apply(PREFIX + key) != null) {
        return layer.name();
      }
    }
    String name = environmentName(key);
    return environment.apply(name) == null ? null : "environment variable " + name;
  }

  /**
   * Parses client setting {@code key} ({@code parser} gets the value and the full key); a bad
   * value's message also names where the value came from.
   */
  private <T> T clientSetting(List<Layer> layers, String key, BiFunction<String, String, T> parser) {
    Found found = null;
    for (Layer layer : layers) {
      String value = layer.lookup().apply(PREFIX + key);
      if (value != null) {
        found = new Found(value, layer.name());
        break;
      }
    }
    if (found == null) {
      String name = environmentName(key);
      String value = environment.apply(name);
      found = value == null ? new Found(DEFAULTS.get(key), "the default") : new Found(value, "environment variable " + name);
    }
    return parse(found, PREFIX + key, parser);
  }

  private static <T> T parse(Found found, String key, BiFunction<String, String, T> parser) {
    try {
      return parser.apply(found.value(), key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (" + key + " from " + found.where() + ")", e);
    }
  }

  private static CacheSettings cacheSettings(List<Layer> layers, String name) {
    Function<String, Found> lookup = setting -> {
      for (String section : List.of(name, DEFAULT_CACHE)) {
        for (Layer layer : layers) {
          String value = layer.lookup().apply(PREFIX + CACHE + section + "." + setting);
          if (value != null) {
            return new Found(value, layer.name() + (section.equals(name) ? "" : ", as " + PREFIX + CACHE + section + "." + setting));
          }
        }
      }
      return new Found(CACHE_DEFAULTS.get(setting), "the default");
    };
    String where = PREFIX + CACHE + name + ".";
    Found expiry = lookup.apply(EXPIRY);
    return new CacheSettings(
        parse(lookup.apply(NEAR_CACHE_MAX_ENTRIES), where + NEAR_CACHE_MAX_ENTRIES, (v, k) -> parseNumber(v, k, 0, MAX_INT)).intValue(),
        parse(lookup.apply(NEAR_CACHE_STALENESS), where + NEAR_CACHE_STALENESS, (v, k) -> Durations.parse(v, k, MAX_STALENESS)),
        parseList(lookup.apply(DESERIALIZATION_ALLOWLIST).value()),
        expiry.value() == null ? null : parse(expiry, where + EXPIRY, ExpirySpec::parse),
        parse(lookup.apply(STATISTICS), where + STATISTICS, ClientSettingsResolver::parseBoolean),
        parse(lookup.apply(MANAGEMENT), where + MANAGEMENT, ClientSettingsResolver::parseBoolean),
        parse(lookup.apply(SERIALIZER), where + SERIALIZER, ClientSettingsResolver::parseSerializer),
        new LoadSettings(
            parse(lookup.apply(SINGLE_FLIGHT), where + SINGLE_FLIGHT, ClientSettingsResolver::parseBoolean),
            parse(lookup.apply(LOAD_LEASE), where + LOAD_LEASE, (v, k) -> Durations.parse(v, k, MAX_LOAD_LEASE))));
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

  /**
   * {@code uri} as it may be shown: user info and the value of every query parameter that is not
   * a known, non-secret setting are masked, whatever their spelling or encoding.
   */
  public static String redact(URI uri) {
    if (uri == null) {
      return "null";
    }
    String text = uri.toString();
    int at = text.indexOf('@');
    int query = text.indexOf('?');
    if (at >= 0 && (query < 0 || at < query)) {
      int start = text.indexOf("//");
      start = start < 0 || start > at ? text.indexOf(':') + 1 : start + 2;
      text = text.substring(0, start) + "******" + text.substring(at);
      query = text.indexOf('?');
    }
    if (query < 0) {
      return text;
    }
    int fragment = text.indexOf('#', query);
    String head = text.substring(0, query + 1);
    String params = fragment < 0 ? text.substring(query + 1) : text.substring(query + 1, fragment);
    StringBuilder shown = new StringBuilder(head);
    String separator = "";
    for (String pair : params.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      shown.append(separator).append(key);
      if (eq >= 0) {
        shown.append('=').append(isShownSetting(key) ? pair.substring(eq + 1) : "******");
      }
      separator = "&";
    }
    return shown.toString();
  }

  /** Whether a URI query parameter's value may be shown: a known setting that is not secret. */
  private static boolean isShownSetting(String rawKey) {
    String key = decode(rawKey);
    return !isSecretName(key) && (DEFAULTS.containsKey(key) || key.startsWith(CACHE));
  }

  /** Whether {@code key} (any case, encoding already undone) names a secret. */
  private static boolean isSecretName(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("password") || lower.contains("secret");
  }

  /**
   * Refuses a URI that carries user info or a secret setting in any spelling. The message names
   * the problem, never the URI, which holds the secret.
   */
  private static void refuseSecrets(URI uri) {
    String authority = uri.getRawAuthority();
    if (uri.getRawUserInfo() != null || (authority != null && authority.indexOf('@') >= 0)) {
      throw new IllegalArgumentException(
          "a CacheManager URI may not carry user info (user:password@host): URIs appear in JMX names and logs;"
              + " set memjcache.username and memjcache.password in the CacheManager properties, a configuration"
              + " file, system properties or MEMJCACHE_USERNAME and MEMJCACHE_PASSWORD");
    }
    String text = uri.getRawSchemeSpecificPart();
    int query = text == null ? -1 : text.indexOf('?');
    if (query < 0) {
      return;
    }
    for (String pair : text.substring(query + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (isSecretName(key)) {
        String setting = key.toLowerCase(Locale.ROOT).contains("password") ? PASSWORD : INTEGRITY_SECRET;
        throw new IllegalArgumentException(
            "'" + key + "' may not be given in a CacheManager URI (URIs appear in JMX names and logs): set "
                + PREFIX + setting + " in the CacheManager properties, a configuration file, the system property or "
                + environmentName(setting));
      }
    }
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a bad escape: compared as written
    }
  }

  private static Map<String, String> uriSettings(URI uri) {
    Map<String, String> settings = new HashMap<>();
    String authority = uri.getRawAuthority();
    if (authority != null && !authority.isBlank()) {
      settings.put(PREFIX + SERVERS, decode(authority));
    }
    String where = "CacheManager URI " + redact(uri);
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("bad setting in " + where + ": expected key=value pairs");
        }
        String key = PREFIX + decode(pair.substring(0, eq));
        checkKnown(key, where);
        settings.put(key, decode(pair.substring(eq + 1)));
      }
    }
    return settings;
  }

  /** Parses a server list as {@code memjcache.servers} takes it: {@code host:port[*weight]}, comma or space separated. */
  public static List<ServerAddress> parseServers(String list) {
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

  /** A whole number from {@code min} to {@code max}; anything else is refused naming the key. */
  private static long parseNumber(String value, String key, long min, long max) {
    long number;
    try {
      number = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      number = Long.MIN_VALUE; // not a number, or beyond a long: refused below
    }
    if (number < min || number > max) {
      throw new IllegalArgumentException(
          "bad value '" + value + "' for " + key + ": expected a whole number from " + min + " to " + max);
    }
    return number;
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
      throw new IllegalArgumentException(key + " must not be empty");
    }
    return value.trim();
  }

  private static List<String> parseList(String value) {
    return Arrays.stream(value.split("[;,\\s]+")).filter(s -> !s.isBlank()).toList();
  }
}
