package io.memjcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every setting of the provider's reference file has a {@code memjcache.*} Spring property, with a
 * description, in the metadata the configuration processor generated (what IDEs complete from).
 */
class ConfigurationMetadataTest {

  private static final Pattern SETTING = Pattern.compile("^#(memjcache\\.[A-Za-z.]+) =", Pattern.MULTILINE);

  @Test
  void everyReferenceSettingIsDescribedInTheSpringMetadata() throws IOException {
    String reference = resource("memjcache-reference.properties");
    List<String> settings = new ArrayList<>();
    Matcher matcher = SETTING.matcher(reference);
    while (matcher.find()) {
      settings.add(matcher.group(1));
    }
    assertThat(settings).as("settings found in the reference file").hasSizeGreaterThan(20);

    String metadata = resource("META-INF/spring-configuration-metadata.json");
    List<Map<String, Object>> properties = JsonPath.read(metadata, "$.properties[*]");
    for (String setting : settings) {
      String spring = springName(setting);
      assertThat(properties).as(setting + " as " + spring)
          .anySatisfy(property -> {
            assertThat(property.get("name")).isEqualTo(spring);
            assertThat((String) property.get("description")).isNotBlank();
          });
    }
    assertThat(properties).anySatisfy(property -> {
      assertThat(property.get("name")).isEqualTo("memjcache.caches");
      assertThat((String) property.get("type")).contains("MemJCacheProperties$CacheSpec");
    });
  }

  /** The Spring property of a provider setting: kebab case, durations without their unit. */
  static String springName(String setting) {
    String name = setting
        .replace("memjcache.cache.default.", "memjcache.cache-defaults.")
        .replace("TimeoutMillis", "Timeout");
    if (name.equals("memjcache.discovery")) {
      name = "memjcache.discovery.source";
    }
    return name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name + " on the class path").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
