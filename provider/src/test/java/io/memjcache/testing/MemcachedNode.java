package io.memjcache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * One memcached process on a loopback address (127.0.0.1 unless told, e.g. ::1) and a fixed port;
 * may be killed and started again.
 */
final class MemcachedNode {

  static final String HOST = "127.0.0.1";
  private static final long READY_TIMEOUT_MILLIS = 15_000;
  private static final int PORT_ATTEMPTS = 10;

  private final Path binary;
  private final List<String> extraArgs;
  private final Map<String, String> env;
  private final String host;
  private final int port;
  private Process process;
  private Path log;

  private MemcachedNode(Path binary, List<String> extraArgs, Map<String, String> env, String host, int port) {
    this.binary = binary;
    this.extraArgs = extraArgs;
    this.env = env;
    this.host = host;
    this.port = port;
  }

  /** Starts a node on a free port; picks another if the port is taken before memcached binds it. */
  static MemcachedNode startOnFreePort(Path binary, List<String> extraArgs, Map<String, String> env) {
    return startOnFreePort(binary, extraArgs, env, HOST);
  }

  /** The same on loopback address {@code host} (an IP literal, e.g. {@code ::1}). */
  static MemcachedNode startOnFreePort(Path binary, List<String> extraArgs, Map<String, String> env, String host) {
    return startOnFreePort(binary, extraArgs, env, host, () -> freePort(host));
  }

  /** For tests: the port probe is injected. */
  static MemcachedNode startOnFreePort(
      Path binary, List<String> extraArgs, Map<String, String> env, IntSupplier ports) {
    return startOnFreePort(binary, extraArgs, env, HOST, ports);
  }

  /** On loopback address {@code host}, the port probe injected (SamePortNodes gives one port to several hosts). */
  static MemcachedNode startOnFreePort(
      Path binary, List<String> extraArgs, Map<String, String> env, String host, IntSupplier ports) {
    PortTakenException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      MemcachedNode node = new MemcachedNode(binary, extraArgs, env, host, ports.getAsInt());
      try {
        node.launch(); // a taken port is reported at once, so we pick another
        return node;
      } catch (PortTakenException e) {
        last = e;
      }
    }
    throw new IllegalStateException(
        "could not start memcached on a free port after " + PORT_ATTEMPTS + " attempts", last);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  /** {@code host:port}, the host in brackets when it is an IPv6 address. */
  String serverName() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  int port() {
    return port;
  }

  synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts memcached again on the same port, retrying for a while if the port is still held. */
  synchronized void restart() {
    if (isRunning()) {
      throw new IllegalStateException("memcached on port " + port + " is already running");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
    while (true) {
      try {
        launch();
        return;
      } catch (PortTakenException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "cannot restart memcached on the same port " + port + ": still taken", e);
        }
      }
      pause(100);
    }
  }

  /** kill -9, and wait until the process is gone. Idempotent. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("memcached pid " + p.pid() + " did not die on SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Reaper.unregister(p);
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    if (RunningAsRoot.CHECK) {
      command.add("-u"); // memcached refuses to run as root without -u
      command.add("nobody");
    }
    command.addAll(List.of("-l", host, "-p", Integer.toString(port), "-U", "0"));
    command.addAll(List.of("-t", "1", "-m", "64"));
    command.addAll(extraArgs);
    log = null;
    try {
      // Output goes to a temp file read only if the start fails; deleted once the node answers.
      log = Files.createTempFile("memcached-" + port + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      builder.environment().putAll(env);
      process = builder.start();
    } catch (IOException e) {
      deleteLog();
      throw new IllegalStateException("could not run " + command, e);
    }
    Reaper.register(process, binary.getFileName().toString());
    try {
      awaitReady(command);
    } finally {
      deleteLog();
    }
  }

  private void deleteLog() {
    try {
      if (log != null) {
        Files.deleteIfExists(log);
      }
    } catch (IOException ignored) {
      // a leftover temp file is harmless
    }
  }

  /**
   * Waits until the port answers {@code version} and {@code stats} reports our own pid (so a
   * stranger that grabbed the port first is never mistaken for our node).
   */
  private void awaitReady(List<String> command) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
    Process p = process;
    while (true) {
      if (!p.isAlive()) {
        String output = logText();
        process = null;
        Reaper.unregister(p);
        if (output.contains("Address already in use")) {
          throw new PortTakenException(port, output);
        }
        throw new IllegalStateException(
            "memcached exited with code "
                + p.exitValue()
                + " while starting: "
                + String.join(" ", command)
                + "\n--- its output ---\n"
                + output);
      }
      try {
        if (extraArgs.contains("-S")) {
          // SASL makes the port binary-only: a binary answer (even "auth required") is memcached.
          if (answersBinary()) {
            return;
          }
          pause(10);
          continue;
        }
        String version = TextClient.request(address(), "version", 1000);
        if (version.startsWith("VERSION ")) {
          String stats = TextClient.request(address(), "stats", 1000);
          if (stats.contains("STAT pid " + p.pid() + "\r\n")) {
            return;
          }
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() - deadline > 0) {
        kill();
        throw new IllegalStateException(
            "memcached on port "
                + port
                + " did not answer `version` within "
                + READY_TIMEOUT_MILLIS
                + " ms: "
                + String.join(" ", command)
                + "\n--- its output ---\n"
                + logText());
      }
      pause(10);
    }
  }

  /** Sends a binary-protocol VERSION request; true when a binary response comes back. */
  private boolean answersBinary() throws IOException {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(address(), 1000);
      socket.setSoTimeout(1000);
      byte[] request = new byte[24];
      request[0] = (byte) 0x80; // request magic
      request[1] = 0x0b; // VERSION
      socket.getOutputStream().write(request);
      int magic = socket.getInputStream().read();
      return magic == 0x81;
    }
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IllegalStateException("interrupted while starting memcached", e);
    }
  }

  private String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("could not find a free port on " + host, e);
    }
  }

  /** memcached could not bind its port: someone took it between our probe and its bind. */
  static final class PortTakenException extends IllegalStateException {
    PortTakenException(int port, String output) {
      super("port " + port + " is taken: " + output.strip());
    }
  }

  /** Whether this JVM runs as root (uid 0), read from /proc, else from user.name. */
  private static final class RunningAsRoot {
    static final boolean CHECK = check();

    private static boolean check() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("Uid:")) {
            return line.split("\\s+")[1].equals("0");
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: fall through
      }
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
