package io.memjcache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every MemJCache setting the README shows is right as written: its configuration blocks load
 * verbatim as configuration files, its settings table gives each key with the real default (the
 * one in memjcache-reference.properties), each {@code memjcache.x = value} it quotes is accepted,
 * its CacheManager URIs resolve, its environment variable names work, and every {@code memjcache.*}
 * key it mentions exists. A README edit that names a setting wrongly fails here.
 */
class ReadmeSettingsTest {

  private static final Path README = Path.of("..", "README.md");
  private static final Pattern MENTIONED_KEY = Pattern.compile("(?<![\\w.])memjcache\\.[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]");
  private static final Pattern QUOTED_SETTING = Pattern.compile("`(memjcache\\.[^`=\\s]+)\\s*=\\s*([^`]+)`");
  private static final Pattern TABLE_ROW = Pattern.compile("^\\| `(memjcache\\.[^`]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);
  private static final Pattern REFERENCE_DEFAULT = Pattern.compile("^#(memjcache\\.[^\\s=]+) = ?(.*)$", Pattern.MULTILINE);
  private static final Pattern URI_IN_TEXT = Pattern.compile("memcached://[^\\s`\"),]+(,[^\\s`\"),]+)*");

  private final ClientSettingsResolver resolver =
      new ClientSettingsResolver(Properties::new, Map.<String, String>of()::get);

  @TempDir Path dir;

  @Test
  void everyPropertiesBlockLoadsVerbatimAsAConfigurationFile() throws IOException {
    List<String> blocks = codeBlocks(providerPart(), "properties");
    assertEquals(2, blocks.size(), "the README's properties blocks (near cache, configuration file)");
    for (int i = 0; i < blocks.size(); i++) {
      Path file = Files.writeString(dir.resolve("block" + i + ".properties"), blocks.get(i));
      assertNotNull(resolver.resolve(file.toUri(), new Properties(), getClass().getClassLoader()), blocks.get(i));
    }
    ManagerSettings example = resolver.resolve(
        dir.resolve("block1.properties").toUri(), new Properties(), getClass().getClassLoader());
    assertEquals("cache1:11211, cache2:11211, cache3:11211",
        String.join(", ", example.client().servers().stream().map(ServerAddress::name).toList()));
    assertEquals("shop", example.client().namespace());
    assertEquals(new TreeSet<>(List.of("com.acme.shop.Product", "sessions")), new TreeSet<>(example.declaredCaches()));
    assertEquals(0, example.cache("sessions").nearCacheMaxEntries());
    assertEquals(1000, example.cache("anything").nearCacheMaxEntries());
  }

  @Test
  void theSettingsTableGivesTheRealDefaults() throws IOException {
    Map<String, String> reference = referenceDefaults();
    Matcher row = TABLE_ROW.matcher(readme());
    ClientSettings defaults = resolver.resolve(URI.create("memcached:///"), new Properties());
    int rows = 0;
    while (row.find()) {
      String key = row.group(1);
      String shown = row.group(2).strip();
      String value = shown.equals("(empty)") ? "" : shown.replaceAll("^`|`$", "");
      assertTrue(reference.containsKey(key), key + " is in memjcache-reference.properties");
      assertEquals(reference.get(key), value, "default of " + key + ": README table against the reference file");
      Properties explicit = new Properties();
      explicit.setProperty(key, value);
      ClientSettings set = resolver.resolve(URI.create("memcached:///"), explicit);
      assertEquals(defaults.toString(), set.toString(), "setting " + key + " to its documented default changes nothing");
      rows++;
    }
    assertTrue(rows >= 9, "rows of the settings table: " + rows);
  }

  @Test
  void everyQuotedSettingIsAccepted() throws IOException {
    Matcher quoted = QUOTED_SETTING.matcher(providerPart());
    int count = 0;
    while (quoted.find()) {
      Properties properties = new Properties();
      properties.setProperty(quoted.group(1), quoted.group(2).strip());
      ManagerSettings settings = resolver.resolve(URI.create("memcached:///"), properties, getClass().getClassLoader());
      assertNotNull(settings, quoted.group());
      count++;
    }
    assertTrue(count >= 2, "quoted settings: " + count);
  }

  @Test
  void everyCacheManagerUriResolves() throws IOException {
    Matcher uri = URI_IN_TEXT.matcher(readme());
    int count = 0;
    while (uri.find()) {
      String text = uri.group().replaceAll("[.]$", "");
      count++;
      if (text.contains("@")) {
        // The README shows user info in a URI only as what is refused (secrets never in URIs).
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve(URI.create(text), new Properties()), text);
        continue;
      }
      ClientSettings settings = resolver.resolve(URI.create(text), new Properties());
      assertFalse(settings.servers().isEmpty(), text);
    }
    assertTrue(count >= 2, "URIs in the README: " + count);
    ClientSettings example = resolver.resolve(
        URI.create("memcached://cache1:11211,cache2:11211,cache3:11211*2?namespace=shop"), new Properties());
    assertEquals("[cache1:11211, cache2:11211, cache3:11211*2]",
        example.servers().stream().map(ServerAddress::toString).toList().toString().replace("ServerAddress", ""));
  }

  @Test
  void theSystemPropertiesAndEnvironmentVariablesItNamesWork() {
    ClientSettingsResolver fromEnvironment = new ClientSettingsResolver(Properties::new,
        Map.of("MEMJCACHE_SERVERS", "env1:11211,env2:11211",
            "MEMJCACHE_INTEGRITY_SECRET", "0123456789abcdef0123")::get);
    ClientSettings settings = fromEnvironment.resolve(URI.create("memcached:///"), new Properties());
    assertEquals(List.of("env1:11211", "env2:11211"), settings.servers().stream().map(ServerAddress::name).toList());
    assertTrue(settings.integritySecret().isPresent(), "MEMJCACHE_INTEGRITY_SECRET");

    // -Dmemjcache.integrity.secret and -Dmemjcache.servers (the Hibernate sample's deployment)
    Properties system = new Properties();
    system.setProperty("memjcache.servers", "sys1:11211");
    system.setProperty("memjcache.integrity.secret", "0123456789abcdef0123");
    ClientSettingsResolver fromSystemProperties = new ClientSettingsResolver(() -> system, Map.<String, String>of()::get);
    settings = fromSystemProperties.resolve(URI.create("memcached:///"), new Properties());
    assertEquals(List.of("sys1:11211"), settings.servers().stream().map(ServerAddress::name).toList());
    assertTrue(settings.integritySecret().isPresent(), "-Dmemjcache.integrity.secret");
  }

  @Test
  void everyKeyItMentionsExists() throws IOException {
    Map<String, String> reference = referenceDefaults();
    Matcher mentioned = MENTIONED_KEY.matcher(providerPart());
    List<String> unknown = new ArrayList<>();
    int count = 0;
    while (mentioned.find()) {
      String key = mentioned.group();
      if (key.endsWith(".properties")) {
        continue; // a file name
      }
      count++;
      if (reference.containsKey(key)) {
        continue;
      }
      boolean cacheSetting = key.startsWith("memjcache.cache.") && reference.keySet().stream()
          .filter(k -> k.startsWith("memjcache.cache.default."))
          .anyMatch(k -> key.endsWith("." + k.substring("memjcache.cache.default.".length())));
      if (!cacheSetting) {
        unknown.add(key);
      }
    }
    assertEquals(List.of(), unknown, "memjcache.* keys in the README missing from memjcache-reference.properties");
    assertTrue(count > 20, "keys mentioned: " + count);
  }

  /** Each Spring Boot line the README quotes for a configuration file is one the starter's test runs with. */
  @Test
  void theSpringBootSettingItQuotesIsTheStartersTestsOwn() throws IOException {
    Matcher quoted = Pattern.compile("`(spring\\.cache\\.jcache\\.config=[^`]+)`").matcher(readme());
    int count = 0;
    String test = Files.readString(Path.of("..", "spring-boot-starter", "src", "test", "java", "io", "memjcache",
        "spring", "boot", "MemJCacheAutoConfigurationTest.java"));
    while (quoted.find()) {
      assertTrue(test.contains("\"" + quoted.group(1) + "\""), quoted.group(1) + " in MemJCacheAutoConfigurationTest");
      count++;
    }
    assertTrue(count >= 1, "the README quotes spring.cache.jcache.config");
  }

  /** The -D spelling the README gives is accepted from system properties, Spring's spelling refused there. */
  @Test
  void theSystemPropertySpellingItGivesForSpringUsersIsTheProvidersOwn() throws IOException {
    Matcher quoted = Pattern.compile("`-D(memjcache\\.[A-Za-z.]+)=([^`]+)`").matcher(readme());
    assertTrue(quoted.find(), "the README quotes a -Dmemjcache. system property");
    Properties system = new Properties();
    system.setProperty(quoted.group(1), quoted.group(2));
    ClientSettings settings = new ClientSettingsResolver(() -> system, Map.<String, String>of()::get)
        .resolve(URI.create("memcached:///"), new Properties());
    assertEquals(java.time.Duration.ofMillis(Long.parseLong(quoted.group(2))), settings.operationTimeout());
    Properties kebab = new Properties();
    kebab.setProperty("memjcache.operation-timeout", "3s");
    assertThrows(IllegalArgumentException.class, () -> new ClientSettingsResolver(() -> kebab,
        Map.<String, String>of()::get).resolve(URI.create("memcached:///"), new Properties()));
  }

  /** The logger settings of the README's Logging section are the ones the samples use. */
  @Test
  void theLoggerSettingsItDocumentsAreTheSamples() throws IOException {
    String readme = readme();
    String springBoot = Files.readString(
        Path.of("..", "samples", "spring-boot", "src", "main", "resources", "application.properties"));
    String hibernate = Files.readString(
        Path.of("..", "samples", "hibernate", "src", "test", "resources", "simplelogger.properties"));
    String plain = Files.readString(Path.of("..", "samples", "plain", "pom.xml"));
    for (String logger : List.of("net.rubyeye.xmemcached", "com.google.code.yanf4j")) {
      String spring = "logging.level." + logger + "=warn";
      String simple = "org.slf4j.simpleLogger.log." + logger + "=warn";
      assertTrue(readme.contains("`" + spring + "`") && springBoot.lines().anyMatch(spring::equals), spring);
      assertTrue(readme.contains("`" + simple + "`") && hibernate.lines().anyMatch(simple::equals), simple);
      assertTrue(plain.contains("<key>org.slf4j.simpleLogger.log." + logger + "</key>"), "plain sample: " + logger);
    }
  }

  @Test
  void everyServerListTheReadmePassesToSetServersIsAValidList() throws IOException {
    Matcher call = Pattern.compile("setServers\\(\"([^\"]*)\"\\)").matcher(readme());
    int calls = 0;
    while (call.find()) {
      List<ServerAddress> servers = ClientSettingsResolver.parseServers(call.group(1));
      assertEquals(call.group(1), String.join(",", servers.stream().map(ServerAddress::toString).toList()),
          "the list reads back as written");
      calls++;
    }
    assertTrue(calls >= 1, "the README shows setServers (section Changing the cluster)");
    assertTrue(readme().contains("io.memjcache:type=ClusterMembership,CacheManager=<uri>"),
        "the MXBean name ClusterMembershipMBeanTest uses");
  }

  private static String readme() throws IOException {
    return Files.readString(README, StandardCharsets.UTF_8);
  }

  /**
   * The README without its Spring Boot starter section, whose {@code memjcache.*} names are Spring
   * properties (checked by the starter's ReadmeStarterSectionTest), not the provider's keys.
   */
  private static String providerPart() throws IOException {
    String readme = readme();
    int start = readme.indexOf("### Spring Boot: the starter");
    int end = readme.indexOf("### Plain JCache");
    assertTrue(start > 0 && end > start, "the README's starter section comes before Plain JCache");
    return readme.substring(0, start) + readme.substring(end);
  }

  private static List<String> codeBlocks(String markdown, String language) {
    List<String> blocks = new ArrayList<>();
    String fence = "```" + language + "\n";
    for (int start = markdown.indexOf(fence); start >= 0; start = markdown.indexOf(fence, start + 1)) {
      int from = start + fence.length();
      blocks.add(markdown.substring(from, markdown.indexOf("```", from)));
    }
    return blocks;
  }

  /** {@code #memjcache.x = default} lines of the reference file in the provider jar. */
  private Map<String, String> referenceDefaults() throws IOException {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("memjcache-reference.properties")) {
      assertNotNull(in, "memjcache-reference.properties");
      Matcher line = REFERENCE_DEFAULT.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Map<String, String> defaults = new LinkedHashMap<>();
      while (line.find()) {
        defaults.put(line.group(1), line.group(2).strip());
      }
      return defaults;
    }
  }
}
