package io.memjcache.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Makes sure no memcached started by this JVM outlives it.
 *
 * <p>Two layers: a shutdown hook kills every live process on a normal exit, Ctrl-C or SIGTERM; and,
 * for a JVM killed with SIGKILL (a surefire fork timing out, say), a watchdog {@code sh} whose
 * stdin is a pipe from this JVM: when the JVM dies the pipe closes, and the watchdog kills the pids
 * listed in a file this class keeps current. The watchdog is best effort: where {@code sh} is
 * missing only the hook remains.
 */
final class Reaper {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static Path pidFile;
  private static Process watchdog;
  private static OutputStream watchdogStdin; // held so the pipe stays open while the JVM lives

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(Reaper::killAll, "memcached-fixture-reaper"));
  }

  private Reaper() {}

  static synchronized void register(Process process, String commandName) {
    LIVE.add(process);
    ensureWatchdog(commandName);
    writePidFile();
  }

  static synchronized void unregister(Process process) {
    LIVE.remove(process);
    writePidFile();
  }

  private static void killAll() {
    for (Process process : LIVE) {
      process.destroyForcibly();
    }
    LIVE.clear();
    synchronized (Reaper.class) {
      writePidFile();
    }
  }

  private static void ensureWatchdog(String commandName) {
    if (watchdog != null) {
      return;
    }
    try {
      pidFile = Files.createTempFile("memcached-fixture-", ".pids");
      // "cat" returns when our end of its stdin closes, i.e. when this JVM is gone, however it died.
      // Only pids still running a process named like our binary are killed (no stale-pid mishaps).
      String script =
          "cat >/dev/null; "
              + "for p in $(cat \"$1\" 2>/dev/null); do "
              + "[ \"$(cat /proc/$p/comm 2>/dev/null)\" = \"$2\" ] && kill -9 \"$p\"; "
              + "done; rm -f \"$1\"";
      String comm = commandName.length() > 15 ? commandName.substring(0, 15) : commandName;
      watchdog =
          new ProcessBuilder("sh", "-c", script, "memcached-watchdog", pidFile.toString(), comm)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      watchdogStdin = watchdog.getOutputStream();
    } catch (IOException | RuntimeException e) {
      watchdog = null; // the shutdown hook still covers normal exits
    }
  }

  private static void writePidFile() {
    if (pidFile == null) {
      return;
    }
    String pids =
        LIVE.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining("\n", "", "\n"));
    try {
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(tmp, pids, StandardCharsets.US_ASCII);
      Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // best effort: the shutdown hook does not depend on the file
    }
  }
}
