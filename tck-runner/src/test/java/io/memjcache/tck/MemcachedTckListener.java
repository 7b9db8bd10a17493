package io.memjcache.tck;

import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.runner.Description;
import org.junit.runner.Result;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/**
 * Runs the TCK against real memcached nodes. Registered with surefire's JUnit 4 provider as the
 * {@code listener} property, in the one forked test JVM.
 *
 * <ul>
 *   <li>Before the first TCK class runs: starts {@code memjcache-tck.nodes} (default 3) memcached
 *       nodes and sets {@code memjcache.servers} to them, so every CacheManager the TCK creates, for
 *       whatever URI, uses them.
 *   <li>Before each test class (before its {@code @BeforeClass}): {@code flush_all} on every node.
 *       Cache names repeat across TCK classes and a few classes only close their manager; a fresh
 *       store per class is the runner's job, never the provider's.
 *   <li>After the run: stops the nodes and writes {@code memjcache-tck.summary} (tests counted, the
 *       ExcludeList entries the TCK really read), which {@link TckGuard} checks.
 * </ul>
 */
public final class MemcachedTckListener extends RunListener {

  static final String NODES = "memjcache-tck.nodes";
  static final String SUMMARY = "memjcache-tck.summary";
  static final String SERVERS = "memjcache.servers";

  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger ignored = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger assumptionFailures = new AtomicInteger();
  private MemcachedCluster cluster;
  private int classes;
  private long startedAtMillis;

  @Override
  public synchronized void testRunStarted(Description description) {
    ensureCluster();
  }

  @Override
  public synchronized void testSuiteStarted(Description description) {
    if (description.getTestClass() == null) {
      return; // a suite of classes, not a class
    }
    ensureCluster();
    cluster.flushAll();
    classes++;
  }

  @Override
  public void testStarted(Description description) {
    started.incrementAndGet();
  }

  @Override
  public void testIgnored(Description description) {
    ignored.incrementAndGet();
  }

  @Override
  public void testFailure(Failure failure) {
    failures.incrementAndGet();
  }

  @Override
  public void testAssumptionFailure(Failure failure) {
    assumptionFailures.incrementAndGet();
  }

  @Override
  public synchronized void testRunFinished(Result result) throws IOException {
    String servers = cluster == null ? "" : cluster.serverList();
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    String summaryPath = System.getProperty(SUMMARY);
    if (summaryPath == null) {
      return;
    }
    Properties summary = new Properties();
    summary.setProperty("tests", Integer.toString(started.get() + ignored.get()));
    summary.setProperty("ignored", Integer.toString(ignored.get()));
    summary.setProperty("failures", Integer.toString(failures.get()));
    summary.setProperty("assumptionFailures", Integer.toString(assumptionFailures.get()));
    summary.setProperty("classes", Integer.toString(classes));
    summary.setProperty("startedAtMillis", Long.toString(startedAtMillis));
    summary.setProperty("servers", servers);
    ExcludeListSeen exclude = ExcludeListSeen.read();
    summary.setProperty("excludeList.resource", exclude.resource);
    summary.setProperty("excludeList.entries", String.join("\n", exclude.entries));
    Path path = Path.of(summaryPath);
    Files.createDirectories(path.toAbsolutePath().getParent());
    try (Writer out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      summary.store(out, "written by " + getClass().getName() + "; checked by TckGuard");
    }
  }

  private void ensureCluster() {
    if (cluster != null) {
      return;
    }
    deleteStaleSummary();
    startedAtMillis = System.currentTimeMillis();
    int nodes = Integer.getInteger(NODES, 3);
    cluster = MemcachedCluster.start(nodes);
    System.setProperty(SERVERS, cluster.serverList()); // TckGuard prints it from the summary
  }

  private static void deleteStaleSummary() {
    String summaryPath = System.getProperty(SUMMARY);
    if (summaryPath != null) {
      try {
        Files.deleteIfExists(Path.of(summaryPath));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The ExcludeList exactly as the TCK looks it up (org.jsr107.tck.testutil.ExcludeList). */
  private static final class ExcludeListSeen {
    final String resource;
    final List<String> entries;

    private ExcludeListSeen(String resource, List<String> entries) {
      this.resource = resource;
      this.entries = entries;
    }

    static ExcludeListSeen read() throws IOException {
      String name = System.getProperty("ExcludeList", "ExcludeList");
      URL url = Thread.currentThread().getContextClassLoader().getResource(name);
      List<String> entries = new ArrayList<>();
      if (url != null) {
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            line = line.trim();
            if (!line.isEmpty() && !line.startsWith("#")) {
              entries.add(line);
            }
          }
        }
      }
      return new ExcludeListSeen(url == null ? "(none: " + name + ")" : url.toString(), entries);
    }
  }
}
