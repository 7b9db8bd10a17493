package io.memjcache.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code Store} seam holds: only {@code io.memjcache.store.memcached} talks to xmemcached (and
 * its network layer, yanf4j), so JCache semantics, routing and configuration never depend on the
 * transport.
 */
class TransportSeamTest {

  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Path TRANSPORT = SOURCES.resolve(Path.of("io", "memjcache", "store", "memcached"));

  @Test
  void onlyTheMemcachedStoreImportsXmemcached() throws IOException {
    List<String> offenders;
    int files;
    try (Stream<Path> all = Files.walk(SOURCES)) {
      List<Path> sources = all.filter(path -> path.toString().endsWith(".java")).toList();
      files = sources.size();
      offenders = sources.stream()
          .filter(path -> !path.startsWith(TRANSPORT))
          .filter(TransportSeamTest::usesTransport)
          .map(path -> SOURCES.relativize(path).toString())
          .toList();
    }
    assertTrue(files > 50, "provider sources found: " + files);
    assertEquals(List.of(), offenders, "classes outside store/memcached that use xmemcached or yanf4j");
  }

  private static boolean usesTransport(Path source) {
    try {
      String text = Files.readString(source);
      return text.contains("net.rubyeye.") || text.contains("com.google.code.yanf4j");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
