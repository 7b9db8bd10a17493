package io.memjcache.tck;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Fails the build unless the TCK run was complete and honest. Run by exec:java right after surefire
 * (see tck-runner/pom.xml), on the summary {@link MemcachedTckListener} wrote in the test JVM:
 *
 * <ul>
 *   <li>at least {@code minTests} tests ran (479 for TCK 1.1.1 without the annotation tests);
 *   <li>the ExcludeList the TCK read holds exactly one entry, {@code CachingTest#dummyTest}
 *       (excluded tests count as passed, so any other entry would hide a failure);
 *   <li>no "EXCLUDING TEST" line in the tests' output (surefire reports) names another test;
 *   <li>the summary was written by this build, not left by an earlier one (surefire runs no test,
 *       and so writes no summary, when its filters match nothing);
 *   <li>the TCK ran on the number of memcached nodes this execution is for;
 *   <li>the near cache was on exactly when this execution is for it: on, every TCK cache with
 *       statistics was near-cached and a probe cache served a near-cache hit; off, none was.
 * </ul>
 *
 * <p>Arguments: summary file, surefire reports folder, minimum test count, the one allowed
 * ExcludeList entry ({@code Class#method}), skip flag, expected node count, whether the near cache
 * must be on, the build's start ({@code yyyy-MM-dd'T'HH:mm:ss'Z'}, UTC).
 */
public final class TckGuard {

  private TckGuard() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 8) {
      throw new IllegalArgumentException(
          "usage: TckGuard SUMMARY REPORTS_DIR MIN_TESTS ALLOWED_EXCLUDE SKIP NODES NEAR_CACHE BUILD_START");
    }
    if (Boolean.parseBoolean(args[4])) {
      System.out.println("[memjcache-tck] TCK skipped (tck.skip/skipTests, or tck.extraRuns.skip for the"
          + " single-node and near-cache runs): nothing to check");
      return;
    }
    Path summaryFile = Path.of(args[0]);
    Path reports = Path.of(args[1]);
    int minTests = Integer.parseInt(args[2]);
    String allowed = args[3];
    if (!Files.isRegularFile(summaryFile)) {
      throw new IllegalStateException(
          "TCK guard: no " + summaryFile + ": the TCK did not run to its end in one JVM, or "
              + "the MemcachedTckListener was not registered with surefire");
    }
    Properties summary = new Properties();
    try (Reader in = Files.newBufferedReader(summaryFile, StandardCharsets.UTF_8)) {
      summary.load(in);
    }
    long startedAt = Long.parseLong(summary.getProperty("startedAtMillis", "0"));
    Instant buildStart = Instant.parse(args[7]);
    if (startedAt < buildStart.toEpochMilli()) {
      throw new IllegalStateException("TCK guard: " + summaryFile + " was written by an earlier build (its run started "
          + Instant.ofEpochMilli(startedAt) + ", this build at " + buildStart + "): the TCK did not run in this build");
    }
    int tests = Integer.parseInt(summary.getProperty("tests", "0"));
    String entries = summary.getProperty("excludeList.entries", "");
    String resource = summary.getProperty("excludeList.resource", "?");
    System.out.printf(
        "[memjcache-tck] %d tests in %s classes on %s (failures %s, assumption failures %s,"
            + " ignored %s); ExcludeList %s: %s%n",
        tests,
        summary.getProperty("classes"),
        summary.getProperty("servers"),
        summary.getProperty("failures"),
        summary.getProperty("assumptionFailures"),
        summary.getProperty("ignored"),
        resource,
        entries.replace('\n', ' '));
    if (!entries.lines().toList().equals(List.of(allowed))) {
      throw new IllegalStateException(
          "TCK guard: the ExcludeList ("
              + resource
              + ") must list exactly `"
              + allowed
              + "` and nothing else (excluded tests are reported as passed), but it lists: "
              + (entries.isEmpty() ? "nothing" : entries.replace('\n', ' ')));
    }
    List<String> excluding = excludingLines(reports, startedAt);
    String allowedLine = "'" + allowed.replace("#", "'\t'") + "'";
    for (String line : excluding) {
      if (!line.contains(allowedLine) && !isStoreByReferenceSelfExclusion(line)) {
        throw new IllegalStateException(
            "TCK guard: a test other than " + allowed + " was excluded: " + line);
      }
    }
    System.out.println("[memjcache-tck] EXCLUDING lines in " + reports + ": " + excluding);
    if (tests < minTests) {
      throw new IllegalStateException(
          "TCK guard: only " + tests + " TCK tests ran, at least " + minTests + " expected");
    }
    checkNodes(summary, Integer.parseInt(args[5]));
    checkNearCache(summary, Boolean.parseBoolean(args[6]));
  }

  static void checkNodes(Properties summary, int expected) {
    int nodes = Integer.parseInt(summary.getProperty("nodes", "0"));
    if (nodes != expected) {
      throw new IllegalStateException("TCK guard: the TCK ran on " + nodes + " memcached node(s) ("
          + summary.getProperty("servers") + "), this execution is for " + expected);
    }
  }

  static void checkNearCache(Properties summary, boolean expected) {
    int withStatistics = Integer.parseInt(summary.getProperty("caches.withStatistics", "0"));
    int nearCached = Integer.parseInt(summary.getProperty("caches.withNearCacheStatistics", "0"));
    String probe = summary.getProperty("probe.nearCache", "not run");
    long probeHits = Long.parseLong(summary.getProperty("probe.nearCacheHits", "0"));
    String seen = withStatistics + " TCK caches with statistics, " + nearCached + " of them near-cached; probe cache near-cached: "
        + probe + ", " + probeHits + " near-cache hit(s)";
    System.out.println("[memjcache-tck] near cache " + (expected ? "expected on" : "expected off") + ": " + seen);
    // withStatistics is 44 in a full run; a -Dtest run of a few classes may have none, and then
    // the probe alone shows the near cache was on.
    boolean on = nearCached == withStatistics && "true".equals(probe) && probeHits > 0;
    boolean off = nearCached == 0 && "false".equals(probe);
    if (expected ? !on : !off) {
      throw new IllegalStateException("TCK guard: this execution is for the near cache " + (expected ? "on" : "off")
          + ", but: " + seen);
    }
  }

  /**
   * The TCK excludes its store-by-reference tests by itself when the provider reports {@code
   * isSupported(STORE_BY_REFERENCE) == false} (a remote store always copies), logging the same
   * "EXCLUDING TEST" line as for the ExcludeList. Those, and only those, are expected.
   */
  static boolean isStoreByReferenceSelfExclusion(String line) {
    return line.contains("'org.jsr107.tck.StoreByReferenceTest'\t")
        || line.contains("'org.jsr107.tck.TypesTest'\t'simpleAPINoGenericsAndNoTypeEnforcementStoreByReference'");
  }

  /**
   * "EXCLUDING TEST" lines the TCK logged, from surefire's per-class output files written by this
   * run (older files, e.g. of classes a -Dtest run skipped, are ignored).
   */
  private static List<String> excludingLines(Path reports, long startedAt) throws IOException {
    if (!Files.isDirectory(reports)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(reports)) {
      List<Path> outputs =
          files
              .filter(f -> f.toString().endsWith("-output.txt"))
              .filter(f -> modifiedMillis(f) >= startedAt - 2000) // coarse file-system clocks
              .sorted()
              .toList();
      List<String> lines = new ArrayList<>();
      for (Path output : outputs) {
        try (Stream<String> text = Files.lines(output, StandardCharsets.UTF_8)) {
          text.filter(l -> l.contains("EXCLUDING TEST")).map(String::strip).forEach(lines::add);
        }
      }
      return lines;
    }
  }

  private static long modifiedMillis(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE; // unreadable: check it anyway, and let reading it fail loudly
    }
  }
}
