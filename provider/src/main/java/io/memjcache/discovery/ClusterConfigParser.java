package io.memjcache.discovery;

import io.memjcache.config.ClusterMember;
import io.memjcache.config.ServerAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the body of an ElastiCache / Memorystore cluster configuration: {@code <version>\n} then
 * {@code host|ip|port} entries separated by spaces, then {@code \n}. The bytes come from the
 * network, so everything is checked and bounded: a version is a whole number that fits a long, a
 * host a DNS name or an IP literal, an ip empty or a literal (never looked up), a port 1 to 65535,
 * at most {@link #MAX_NODES} nodes, no node twice.
 */
final class ClusterConfigParser {

  /** The most nodes one answer may list (ElastiCache allows 60 per cluster; Memorystore 20). */
  static final int MAX_NODES = 10_000;

  private static final Pattern VERSION = Pattern.compile("\\d{1,19}");
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,252}");
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  private ClusterConfigParser() {}

  static DiscoveredCluster parse(byte[] body) throws IOException {
    for (int i = 0; i < body.length; i++) {
      int b = body[i] & 0xff;
      if ((b < 0x20 || b >= 0x7f) && b != '\n' && b != '\r') {
        throw new IOException("the configuration holds a non-text byte at offset " + i);
      }
    }
    String text = new String(body, StandardCharsets.US_ASCII);
    int firstEnd = text.indexOf('\n');
    if (firstEnd < 0 || !text.endsWith("\n") || text.indexOf('\n', firstEnd + 1) != text.length() - 1) {
      throw new IOException("the configuration is not two lines (version, nodes): " + Excerpt.of(text));
    }
    String versionText = stripCr(text.substring(0, firstEnd));
    String nodesText = stripCr(text.substring(firstEnd + 1, text.length() - 1));
    long version;
    try {
      if (!VERSION.matcher(versionText).matches()) {
        throw new NumberFormatException();
      }
      version = Long.parseLong(versionText);
    } catch (NumberFormatException e) {
      throw new IOException("bad configuration version " + Excerpt.of(versionText) + ": expected a whole number from 0 to "
          + Long.MAX_VALUE);
    }
    List<ClusterMember> members = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String entry : nodesText.split(" ")) {
      if (entry.isEmpty()) {
        continue;
      }
      if (members.size() == MAX_NODES) {
        throw new IOException("the configuration lists more than " + MAX_NODES + " nodes");
      }
      ClusterMember member;
      try {
        member = member(entry);
      } catch (IllegalArgumentException e) {
        throw new IOException("bad node " + Excerpt.of(entry));
      }
      if (!names.add(member.name())) {
        throw new IOException("the configuration lists node " + member.name() + " twice");
      }
      members.add(member);
    }
    if (members.isEmpty()) {
      throw new IOException("the configuration (version " + version + ") lists no node");
    }
    return new DiscoveredCluster(version, members);
  }

  /** One {@code host|ip|port} entry. */
  private static ClusterMember member(String entry) throws IOException {
    String[] parts = entry.split("\\|", -1);
    if (parts.length != 3) {
      throw new IOException("bad node " + Excerpt.of(entry) + ": expected host|ip|port");
    }
    String host = parts[0];
    String ipText = parts[1];
    if (!PORT.matcher(parts[2]).matches() || Integer.parseInt(parts[2]) < 1 || Integer.parseInt(parts[2]) > 65535) {
      throw new IOException("bad port in node " + Excerpt.of(entry) + ": expected 1 to 65535");
    }
    int port = Integer.parseInt(parts[2]);
    InetAddress ip = ipText.isEmpty() ? null : literal(ipText, entry, "ip");
    if (host.isEmpty()) {
      if (ip == null) {
        throw new IOException("bad node " + Excerpt.of(entry) + ": neither a host nor an ip");
      }
      host = ipText;
    }
    ServerAddress server;
    if (host.indexOf(':') >= 0) {
      literal(host, entry, "host"); // an IPv6 host must be a valid literal
      server = ServerAddress.parse("[" + host + "]:" + port); // its canonical form names it
    } else if (HOST_NAME.matcher(host).matches()) {
      server = new ServerAddress(host, port, 1);
    } else {
      throw new IOException("bad host in node " + Excerpt.of(entry));
    }
    return new ClusterMember(server, ip);
  }

  /** An IP literal, parsed without any name lookup. */
  private static InetAddress literal(String text, String entry, String what) throws IOException {
    boolean v4 = IPV4.matcher(text).matches();
    if (!v4 && !(text.indexOf(':') >= 0 && IPV6.matcher(text).matches())) {
      throw new IOException("bad " + what + " in node " + Excerpt.of(entry) + ": expected an IPv4 or IPv6 address");
    }
    try {
      // Both forms are literals here (brackets make the JDK refuse rather than look up a bad IPv6 text).
      return InetAddress.getByName(v4 ? text : "[" + text + "]");
    } catch (UnknownHostException e) {
      throw new IOException("bad " + what + " in node " + Excerpt.of(entry) + ": expected an IPv4 or IPv6 address");
    }
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
