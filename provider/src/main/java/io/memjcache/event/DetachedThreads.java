package io.memjcache.event;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import javax.cache.CacheException;

/**
 * Threads that keep no application's class loader alive. A thread started from an application's
 * thread would otherwise inherit its context class loader, its inheritable thread-locals and (on
 * JDK 17) its access control context, whose protection domains name the application's class
 * loader: a redeployed web app could then never be collected while the thread lives.
 */
public final class DetachedThreads {

  private static final ClassLoader OWN = DetachedThreads.class.getClassLoader();

  private DetachedThreads() {}

  /** Daemon threads named {@code name}, with MemJCache's own class loader as context loader. */
  public static ThreadFactory daemon(String name) {
    return runnable -> newThread(runnable, name);
  }

  /**
   * Runs {@code action} on a detached thread and waits for it: threads it starts (a memcached
   * client's) inherit nothing from the caller. The wait ignores interrupts (the action is bounded,
   * and what it returns, a client, must not be lost); the caller's interrupt flag is kept.
   */
  public static <T> T call(String name, Supplier<T> action) {
    FutureTask<T> task = new FutureTask<>(action::get);
    newThread(task, name).start();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new CacheException(cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @SuppressWarnings("removal") // doPrivileged: the only way on JDK 17 not to capture the caller's context
  private static Thread newThread(Runnable runnable, String name) {
    return AccessController.doPrivileged((PrivilegedAction<Thread>) () -> {
      Thread thread = new Thread(null, runnable, name, 0, false); // no inheritable thread-locals
      thread.setDaemon(true);
      thread.setContextClassLoader(OWN);
      return thread;
    });
  }
}
