package io.memjcache.membership;

import io.memjcache.MemcachedCacheManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.configuration.MutableConfiguration;

/**
 * The other JVM of {@link MembershipTwoJvmTest}: one manager, load threads on it, and membership
 * changes on command. Arguments: servers, namespace, first thread id, threads, keys, log file.
 * Commands on stdin, one a line: {@code servers <list>} (answers {@code changed}), {@code settled}
 * (answers {@code settled true|false}), {@code stop} (writes the call log, answers {@code done
 * <calls>} and exits). Calls are timed with {@link System#nanoTime()}: on Linux a system-wide
 * monotonic clock, comparable with the parent's.
 */
public final class MembershipWorkerMain {

  private static final long WORKER_LIMIT_MILLIS = 120_000;

  private MembershipWorkerMain() {}

  public static void main(String[] args) throws Exception {
    String servers = args[0];
    String namespace = args[1];
    int firstThread = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    int keys = Integer.parseInt(args[4]);
    Path logFile = Path.of(args[5]);
    try (MemcachedCacheManager manager = Membership.manager(servers, namespace)) {
      Cache<String, String> cache = manager.createCache("c",
          new MutableConfiguration<String, String>().setTypes(String.class, String.class));
      AtomicBoolean stop = new AtomicBoolean();
      List<List<Call>> logs = new ArrayList<>();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Call> log = Collections.synchronizedList(new ArrayList<>());
        logs.add(log);
        int thread = firstThread + t;
        Thread worker = new Thread(
            () -> CallLoad.run(thread, List.of(cache), 2, keys, log, stop, System::nanoTime, WORKER_LIMIT_MILLIS));
        worker.setDaemon(true);
        worker.start();
        workers.add(worker);
      }
      System.out.println("ready");
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String command;
      while ((command = commands.readLine()) != null) {
        if (command.startsWith("servers ")) {
          manager.setServers(command.substring("servers ".length()));
          System.out.println("changed");
        } else if (command.equals("settled")) {
          System.out.println("settled " + manager.isMembershipSettled());
        } else if (command.equals("stop")) {
          break;
        }
      }
      stop.set(true);
      for (Thread worker : workers) {
        worker.join(TimeUnit.SECONDS.toMillis(30));
      }
      int written = 0;
      try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8))) {
        for (List<Call> log : logs) {
          synchronized (log) {
            for (Call call : log) {
              out.println(format(call));
              written++;
            }
          }
        }
      }
      System.out.println("done " + written);
    }
    System.exit(0);
  }

  static String format(Call call) {
    String error = call.error() == null ? "" : call.error().replaceAll("[\\t\\r\\n]", " ");
    return call.key() + "\t" + call.kind() + "\t" + call.written() + "\t" + call.seen() + "\t"
        + call.start() + "\t" + call.end() + "\t" + call.client() + "\t" + error;
  }

  static Call parse(String line) {
    String[] f = line.split("\t", 8);
    String error = f.length < 8 || f[7].isEmpty() ? null : f[7];
    return new Call(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
        Long.parseLong(f[4]), Long.parseLong(f[5]), error, Integer.parseInt(f[6]));
  }
}
