package io.memjcache.tck;

import io.memjcache.MemcachedCache;
import io.memjcache.MemcachedCachingProvider;
import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
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
 *       ExcludeList entries the TCK really read, the nodes it ran on, whether caches were
 *       near-cached), which {@link TckGuard} checks.
 * </ul>
 *
 * <p>Whether the near cache was on is recorded twice: from the TCK's own caches (every cache with
 * statistics enabled registers a {@code javax.cache:type=CacheStatistics} MBean, and a near-cached
 * one also an {@code io.memjcache:type=NearCacheStatistics} MBean; the listener counts their
 * registrations), and from a probe cache created at the start under the same JVM configuration,
 * read twice: its second read must be a near-cache hit when the near cache is on.
 */
public final class MemcachedTckListener extends RunListener {

  static final String NODES = "memjcache-tck.nodes";
  static final String SUMMARY = "memjcache-tck.summary";
  static final String SERVERS = "memjcache.servers";

  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger ignored = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger assumptionFailures = new AtomicInteger();
  private final AtomicInteger statisticsBeans = new AtomicInteger();
  private final AtomicInteger nearCacheStatisticsBeans = new AtomicInteger();
  private final NotificationListener beanCounter = this::countRegistration;
  private MemcachedCluster cluster;
  private int classes;
  private long startedAtMillis;
  private int nodes;
  private String probeNearCache = "not run";
  private long probeNearCacheHits;

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
    stopCountingBeans();
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
    summary.setProperty("nodes", Integer.toString(nodes));
    summary.setProperty("caches.withStatistics", Integer.toString(statisticsBeans.get()));
    summary.setProperty("caches.withNearCacheStatistics", Integer.toString(nearCacheStatisticsBeans.get()));
    summary.setProperty("probe.nearCache", probeNearCache);
    summary.setProperty("probe.nearCacheHits", Long.toString(probeNearCacheHits));
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
    cluster = MemcachedCluster.start(Integer.getInteger(NODES, 3));
    nodes = cluster.addresses().size();
    System.setProperty(SERVERS, cluster.serverList()); // TckGuard prints it from the summary
    probeNearCache();
    startCountingBeans();
  }

  /**
   * A cache made the way the TCK makes its caches (default URI, no Properties: the JVM's
   * configuration), on a manager of its own, written once and read twice, then destroyed.
   */
  private void probeNearCache() {
    MemcachedCachingProvider provider = new MemcachedCachingProvider();
    ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {};
    try (CacheManager manager = provider.getCacheManager(provider.getDefaultURI(), loader)) {
      Cache<String, String> cache = manager.createCache("memjcache-tck-probe", new MutableConfiguration<String, String>());
      cache.put("probe", "value");
      cache.get("probe");
      cache.get("probe");
      MemcachedCache<?, ?> memcached = cache.unwrap(MemcachedCache.class);
      probeNearCache = Boolean.toString(memcached.nearCacheStatistics() != null);
      probeNearCacheHits = memcached.nearCacheStatistics() == null ? 0 : memcached.nearCacheStatistics().getNearCacheHits();
      manager.destroyCache("memjcache-tck-probe");
    } finally {
      provider.close();
    }
  }

  private void startCountingBeans() {
    try {
      ManagementFactory.getPlatformMBeanServer()
          .addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, beanCounter, null, null);
    } catch (InstanceNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private void stopCountingBeans() {
    try {
      ManagementFactory.getPlatformMBeanServer().removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, beanCounter);
    } catch (Exception e) {
      // never added (no test ran) or already removed
    }
  }

  private void countRegistration(Notification notification, Object handback) {
    if (!(notification instanceof MBeanServerNotification registration)
        || !MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    ObjectName name = registration.getMBeanName();
    if ("javax.cache".equals(name.getDomain()) && "CacheStatistics".equals(name.getKeyProperty("type"))) {
      statisticsBeans.incrementAndGet();
    } else if ("io.memjcache".equals(name.getDomain()) && "NearCacheStatistics".equals(name.getKeyProperty("type"))) {
      nearCacheStatisticsBeans.incrementAndGet();
    }
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
