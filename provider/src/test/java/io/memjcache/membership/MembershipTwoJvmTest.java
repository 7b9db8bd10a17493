package io.memjcache.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.testing.MemcachedCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A smaller {@link MembershipChangeLoadTest} across two real JVMs: this one and a child process
 * ({@link MembershipWorkerMain}) each run a manager with load threads; a fourth node is added to
 * both at the same moment, removed, and added back. Both JVMs time their calls with {@link
 * System#nanoTime()} (one monotonic clock for the whole machine on Linux) and the child's log is
 * checked with this one's by {@link ModelCheck}.
 */
class MembershipTwoJvmTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(4);

  private static final int THREADS_PER_JVM = 2;
  private static final int KEYS = 100;
  private static final long BASE_MILLIS = 2_000;
  private static final long AFTER_SETTLE_MILLIS = 1_500;
  private static final long REPLY_MILLIS = 30_000;

  /** The child JVM: commands to its stdin, its answer lines (other output kept for messages). */
  private static final class Child implements AutoCloseable {
    final Process process;
    final PrintWriter commands;
    final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final List<String> output = Collections.synchronizedList(new ArrayList<>());

    Child(List<String> command) throws Exception {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            output.add(line);
            if (line.matches("ready|changed|settled (true|false)|done \\d+")) {
              answers.add(line);
            }
          }
        } catch (Exception e) {
          // the process ended
        }
      }, "membership-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    String ask(String command) throws InterruptedException {
      if (command != null) {
        commands.println(command);
      }
      String answer = answers.poll(REPLY_MILLIS, TimeUnit.MILLISECONDS);
      if (answer == null) {
        throw new AssertionError("the child JVM did not answer " + command + "; its output: " + tail());
      }
      return answer;
    }

    String tail() {
      synchronized (output) {
        return output.subList(Math.max(0, output.size() - 20), output.size()).toString();
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void noReadIsOlderThanTheModelAllowsAcrossTwoJvms() throws Exception {
    String namespace = Membership.uniqueNamespace();
    String three = Membership.servers(CLUSTER, 0, 1, 2);
    String four = Membership.servers(CLUSTER, 0, 1, 2, 3);
    Path childLog = Files.createTempFile("membership-calls", ".tsv");
    ExecutorService pool = Executors.newFixedThreadPool(THREADS_PER_JVM + 1);
    Phases phases = new Phases("[membership-2jvm]");
    List<List<Call>> logs = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (MemcachedCacheManager manager = Membership.manager(three, namespace);
        Child child = new Child(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), MembershipWorkerMain.class.getName(),
            three, namespace, "100", String.valueOf(THREADS_PER_JVM), String.valueOf(KEYS), childLog.toString()))) {
      Cache<String, String> cache = manager.createCache("c",
          new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      assertEquals("ready", child.ask(null));
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < THREADS_PER_JVM; t++) {
        List<Call> log = new ArrayList<>();
        logs.add(log);
        int thread = t;
        running.add(pool.submit(
            () -> CallLoad.run(thread, List.of(cache), 0, KEYS, log, stop, System::nanoTime, 120_000)));
      }
      phases.add(new Phases.Phase("3-nodes", System.nanoTime()));
      Thread.sleep(BASE_MILLIS);
      phases.add(change("add-4th", four, manager, child, pool));
      phases.add(change("remove-4th", three, manager, child, pool));
      phases.add(change("re-add-4th", four, manager, child, pool));
      stop.set(true);
      for (Future<?> worker : running) {
        worker.get(30, TimeUnit.SECONDS);
      }
      String done = child.ask("stop");
      assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "the child JVM exits");
      List<Call> calls = new ArrayList<>();
      logs.forEach(calls::addAll);
      List<String> lines = Files.readAllLines(childLog, StandardCharsets.UTF_8);
      assertEquals("done " + lines.size(), done, "the child's log is complete");
      lines.forEach(line -> calls.add(MembershipWorkerMain.parse(line)));
      phases.check(calls);
      phases.assertSound(200, 50);
    } finally {
      stop.set(true);
      pool.shutdownNow();
      Files.deleteIfExists(childLog);
    }
  }

  /** This JVM and the child change at the same moment; then both settle and load goes on. */
  private static Phases.Phase change(String name, String servers, MemcachedCacheManager manager, Child child,
      ExecutorService pool) throws Exception {
    Phases.Phase phase = new Phases.Phase(name, System.nanoTime());
    long began = System.nanoTime();
    Future<String> other = pool.submit(() -> child.ask("servers " + servers));
    manager.setServers(servers);
    assertEquals("changed", other.get(REPLY_MILLIS, TimeUnit.MILLISECONDS));
    phase.changed = System.nanoTime();
    phase.changeMillis = TimeUnit.NANOSECONDS.toMillis(phase.changed - began);
    long deadline = began + TimeUnit.MILLISECONDS.toNanos(Membership.SETTLE_TIMEOUT_MILLIS);
    boolean settled = false;
    while (!settled && System.nanoTime() < deadline) {
      settled = manager.isMembershipSettled() && child.ask("settled").equals("settled true");
      if (!settled) {
        Thread.sleep(20);
      }
    }
    assertTrue(settled, name + ": membership not settled within " + Membership.SETTLE_TIMEOUT_MILLIS + " ms");
    phase.settled = System.nanoTime();
    phase.settleMillis = TimeUnit.NANOSECONDS.toMillis(phase.settled - began);
    Thread.sleep(AFTER_SETTLE_MILLIS);
    return phase;
  }
}
