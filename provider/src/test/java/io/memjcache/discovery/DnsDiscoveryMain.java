package io.memjcache.discovery;

import io.memjcache.config.ClusterMember;
import io.memjcache.testing.ChildWatchdog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Child JVM of {@link DnsDiscoveryTest}, started with {@code -Djdk.net.hosts.file=<file>} and a
 * {@code -Djava.security.properties=<file>} turning the DNS cache off (both read once per JVM,
 * hence a child): polls {@code dns:<name>:<port>} every {@code <intervalMillis>} and prints {@code
 * INITIAL <names>} and each {@code CHANGE <names>}; the poller's log goes to standard error. Exits
 * when its standard input closes, or after two minutes at most.
 *
 * <p>Args: name port intervalMillis
 */
public final class DnsDiscoveryMain {

  private DnsDiscoveryMain() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    int port = Integer.parseInt(args[1]);
    Duration interval = Duration.ofMillis(Long.parseLong(args[2]));
    ChildWatchdog.start(Duration.ofMinutes(2));
    try (DiscoveryPoller poller = new DiscoveryPoller(new DnsDiscovery(name, port), interval,
        members -> System.out.println("CHANGE " + names(members)), "dns-discovery-child")) {
      System.out.println("INITIAL " + names(poller.initial()));
      poller.start();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // wait for the parent to close our input
      }
    }
    System.out.println("BYE");
  }

  private static String names(List<ClusterMember> members) {
    return members.stream().map(m -> m.name() + "@" + m.ip().getHostAddress()).collect(Collectors.joining(","));
  }
}
