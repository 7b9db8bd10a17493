package io.memjcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.config.ClusterMember;
import io.memjcache.config.ServerAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

/** The poller's rules, with a source that plays back scripted answers (no network involved). */
class DiscoveryPollerTest {

  /** Answers (a DiscoveredCluster, an IOException or a RuntimeException) in order; the last one repeats. */
  private static final class Script implements ClusterDiscovery {
    private final Queue<Object> answers = new ArrayDeque<>();
    private Object last;
    final AtomicInteger asked = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();

    synchronized Script then(Object answer) {
      answers.add(answer);
      return this;
    }

    @Override
    public synchronized DiscoveredCluster discover() throws IOException {
      asked.incrementAndGet();
      if (!answers.isEmpty()) {
        last = answers.remove();
      }
      if (last instanceof IOException e) {
        throw e;
      }
      if (last instanceof RuntimeException e) {
        throw e;
      }
      return (DiscoveredCluster) last;
    }

    @Override
    public void close() {
      closed.set(true);
    }

    @Override
    public String toString() {
      return "script:test";
    }
  }

  private static DiscoveredCluster cluster(long version, String... names) {
    return new DiscoveredCluster(version,
        Arrays.stream(names).map(n -> ClusterMember.of(ServerAddress.parse(n))).toList());
  }

  private static List<String> names(List<ClusterMember> members) {
    return members.stream().map(ClusterMember::name).toList();
  }

  private static DiscoveryPoller poller(Script script, Consumer<List<ClusterMember>> onChange) {
    return new DiscoveryPoller(script, Duration.ofMillis(100), onChange, "test-discovery-" + System.nanoTime());
  }

  @Test
  void theFirstAnswerIsReturnedAndRecordedNotHandedToOnChange() {
    Script script = new Script().then(cluster(3, "b:1", "a:1"));
    BlockingQueue<List<String>> changes = new LinkedBlockingQueue<>();
    try (DiscoveryPoller poller = poller(script, m -> changes.add(names(m)))) {
      assertEquals(List.of("a:1", "b:1"), names(poller.initial()), "sorted by name");
      assertEquals(3, poller.appliedVersion());
      poller.pollNow(); // the same answer again
      assertNull(changes.poll());
      assertEquals(2, script.asked.get());
    }
  }

  @Test
  void onlyAChangedListIsApplied() {
    Script script = new Script()
        .then(cluster(1, "a:1", "b:1"))
        .then(cluster(2, "a:1", "b:1", "c:1"))
        .then(cluster(3, "c:1", "b:1", "a:1")) // same nodes, another order, a newer version
        .then(cluster(4, "a:1", "b:1", "c:1*2")); // a weight changed
    BlockingQueue<List<ClusterMember>> changes = new LinkedBlockingQueue<>();
    try (DiscoveryPoller poller = poller(script, changes::add)) {
      poller.initial();
      poller.pollNow();
      assertEquals(List.of("a:1", "b:1", "c:1"), names(changes.remove()));
      poller.pollNow();
      assertNull(changes.poll(), "the same nodes are no change");
      assertEquals(3, poller.appliedVersion(), "a newer version of the same list is recorded");
      poller.pollNow();
      assertEquals(2, changes.remove().get(2).server().weight());
    }
  }

  @Test
  void anOlderVersionIsIgnoredAndTheSameVersionWithAnotherListApplies() {
    Script script = new Script()
        .then(cluster(10, "a:1", "b:1"))
        .then(cluster(9, "a:1"))
        .then(cluster(10, "a:1", "c:1"));
    BlockingQueue<List<String>> changes = new LinkedBlockingQueue<>();
    try (DiscoveryPoller poller = poller(script, m -> changes.add(names(m)))) {
      poller.initial();
      poller.pollNow();
      assertNull(changes.poll(), "version 9 after 10 is ignored");
      assertEquals(List.of("a:1", "b:1"), names(poller.applied()));
      poller.pollNow();
      assertEquals(List.of("a:1", "c:1"), changes.remove());
    }
  }

  @Test
  void sourcesWithoutVersionsAreComparedByList() {
    Script script = new Script()
        .then(cluster(DiscoveredCluster.NO_VERSION, "10.0.0.1:11211", "10.0.0.2:11211"))
        .then(cluster(DiscoveredCluster.NO_VERSION, "10.0.0.2:11211"))
        .then(cluster(DiscoveredCluster.NO_VERSION, "10.0.0.1:11211", "10.0.0.2:11211"));
    BlockingQueue<List<String>> changes = new LinkedBlockingQueue<>();
    try (DiscoveryPoller poller = poller(script, m -> changes.add(names(m)))) {
      poller.initial();
      poller.pollNow();
      poller.pollNow();
      assertEquals(List.of("10.0.0.2:11211"), changes.remove());
      assertEquals(List.of("10.0.0.1:11211", "10.0.0.2:11211"), changes.remove());
      assertEquals(DiscoveredCluster.NO_VERSION, poller.appliedVersion());
    }
  }

  @Test
  void failuresKeepTheMembershipAndWarnOncePerRun() {
    Script script = new Script()
        .then(cluster(1, "a:1"))
        .then(new IOException("connection refused"))
        .then(new IOException("connection refused"))
        .then(new IllegalStateException("a bug in a source"))
        .then(cluster(1, "a:1"))
        .then(new IOException("timed out"))
        .then(cluster(2, "b:1"));
    BlockingQueue<List<String>> changes = new LinkedBlockingQueue<>();
    String log;
    try (DiscoveryPoller poller = poller(script, m -> changes.add(names(m)))) {
      poller.initial();
      log = capturingStandardError(() -> {
        for (int i = 0; i < 6; i++) {
          poller.pollNow();
        }
      });
      assertEquals(List.of("b:1"), changes.remove());
      assertNull(changes.poll());
    }
    assertEquals(2, count(log, "failed, keeping the 1 current nodes"), log);
    assertEquals(2, count(log, "answers again"), log);
    assertEquals(0, count(log, "\tat "), "no stack traces: " + log);
  }

  @Test
  void anEmptyListCannotBeAnAnswer() {
    assertThrows(IllegalArgumentException.class, () -> new DiscoveredCluster(1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> cluster(1, "a:1", "a:1"));
    assertThrows(IllegalArgumentException.class, () -> new DiscoveredCluster(-2, cluster(1, "a:1").members()));
  }

  @Test
  void aChangeWhoseApplicationFailsIsOfferedAgain() {
    Script script = new Script().then(cluster(1, "a:1")).then(cluster(2, "a:1", "b:1"));
    AtomicInteger calls = new AtomicInteger();
    try (DiscoveryPoller poller = poller(script, m -> {
      if (calls.incrementAndGet() <= 3) {
        throw new IllegalStateException("store busy");
      }
    })) {
      poller.initial();
      String log = capturingStandardError(() -> {
        for (int i = 0; i < 3; i++) {
          poller.pollNow();
          assertEquals(List.of("a:1"), names(poller.applied()), "not applied");
        }
      });
      assertEquals(1, count(log, "store busy"), "one warning for the run: " + log);
      poller.pollNow();
      assertEquals(4, calls.get());
      assertEquals(List.of("a:1", "b:1"), names(poller.applied()));
    }
  }

  @Test
  void aFailedFirstAnswerIsACacheExceptionNamingTheSource() {
    Script script = new Script().then(new IOException("connection refused"));
    try (DiscoveryPoller poller = poller(script, m -> {})) {
      CacheException e = assertThrows(CacheException.class, poller::initial);
      assertTrue(e.getMessage().contains("script:test") && e.getMessage().contains("connection refused"), e.getMessage());
      assertThrows(IllegalStateException.class, poller::start, "no polling without a first membership");
    }
  }

  @Test
  void theTimerPollsOnADaemonThreadAndCloseStopsItAndClosesTheSource() throws InterruptedException {
    Script script = new Script().then(cluster(1, "a:1")).then(cluster(2, "a:1", "b:1"));
    BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
    String name = "test-discovery-timer-" + System.nanoTime();
    DiscoveryPoller poller = new DiscoveryPoller(script, Duration.ofMillis(100), m -> threads.add(Thread.currentThread()), name);
    poller.initial();
    poller.start();
    Thread thread = threads.poll(10, TimeUnit.SECONDS);
    assertEquals(name, thread.getName());
    assertTrue(thread.isDaemon());
    poller.close();
    thread.join(5000);
    assertFalse(thread.isAlive(), "the polling thread ends on close");
    assertTrue(script.closed.get(), "the source is closed");
    int asked = script.asked.get();
    poller.pollNow();
    poller.close();
    assertEquals(asked, script.asked.get(), "nothing is polled after close");
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** What slf4j-simple writes (to System.err) while {@code action} runs. */
  private static String capturingStandardError(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text;
  }
}
