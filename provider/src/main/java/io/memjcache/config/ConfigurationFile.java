package io.memjcache.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * A MemJCache configuration file: a properties file named by the CacheManager URI ({@code
 * classpath:memjcache.properties}, {@code file:/etc/shop/memjcache.properties}, or a {@code jar:}
 * URI as Spring resolves class-path resources). See {@code memjcache-reference.properties} for
 * every setting.
 */
final class ConfigurationFile {

  private ConfigurationFile() {}

  /** True when {@code uri} names a configuration file rather than servers or just a name. */
  static boolean isConfigurationFile(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return scheme.equals("classpath") || scheme.equals("file") || scheme.equals("jar");
  }

  static Properties load(URI uri, ClassLoader classLoader) {
    Properties properties = new Properties();
    try (InputStream in = open(uri, classLoader);
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read MemJCache configuration file " + uri + ": " + e.getMessage(), e);
    }
    return properties;
  }

  private static InputStream open(URI uri, ClassLoader classLoader) throws IOException {
    if ("classpath".equalsIgnoreCase(uri.getScheme())) {
      String path = uri.getSchemeSpecificPart();
      while (path.startsWith("/")) {
        path = path.substring(1);
      }
      InputStream in = classLoader == null ? null : classLoader.getResourceAsStream(path);
      if (in == null) {
        throw new IOException("not found on the class path");
      }
      return in;
    }
    return uri.toURL().openStream();
  }
}
