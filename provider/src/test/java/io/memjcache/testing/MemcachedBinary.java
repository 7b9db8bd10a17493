package io.memjcache.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Finds the {@code memcached} executable: env MEMCACHED_BIN, else the PATH, else /usr/bin. */
final class MemcachedBinary {

  static final String ENV = "MEMCACHED_BIN";
  static final String FALLBACK = "/usr/bin/memcached";

  private MemcachedBinary() {}

  static Path locate() {
    return locate(System::getenv);
  }

  /** For tests: the environment lookup is injected. */
  static Path locate(UnaryOperator<String> env) {
    String explicit = env.apply(ENV);
    if (explicit != null && !explicit.isBlank()) {
      Path path = Path.of(explicit);
      if (isExecutable(path)) {
        return path;
      }
      throw missing(ENV + "=" + explicit + " is not an executable file");
    }
    String pathVar = env.apply("PATH");
    if (pathVar != null) {
      for (String dir : pathVar.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          Path candidate = Path.of(dir, "memcached");
          if (isExecutable(candidate)) {
            return candidate;
          }
        }
      }
    }
    Path fallback = Path.of(FALLBACK);
    if (isExecutable(fallback)) {
      return fallback;
    }
    throw missing("no memcached on the PATH nor at " + FALLBACK);
  }

  private static boolean isExecutable(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }

  private static IllegalStateException missing(String why) {
    return new IllegalStateException(
        "memcached server binary not found ("
            + why
            + "). The tests start real memcached processes: install memcached "
            + "(Debian/Ubuntu: `apt-get install -y memcached`, macOS: `brew install memcached`) "
            + "or point the environment variable "
            + ENV
            + " at a memcached executable.");
  }
}
