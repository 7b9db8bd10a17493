package io.memjcache.testing;

import java.time.Duration;

/**
 * Ends a child JVM of a test that outlives its parent's interest: after {@code limit} it prints
 * {@code TIMEOUT} and exits with status 3, so a hung child never stays behind.
 */
public final class ChildWatchdog {

  private ChildWatchdog() {}

  /** Starts the daemon watchdog thread. */
  public static void start(Duration limit) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(limit.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      System.out.println("TIMEOUT");
      System.exit(3);
    }, "child-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
