package io.memjcache.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One configured memcached node. {@link #name()} is the {@code host:port} string as configured,
 * with an IPv6 address in brackets and in its canonical text form (RFC 5952: {@code [::1]:11211}
 * whether written {@code [0:0:0:0:0:0:0:1]} or {@code [::0001]}): the hash ring is built from these
 * names, so every client given the same server list routes every key to the same node.
 */
public record ServerAddress(String host, int port, int weight) {

  /** Host names and IPv4 addresses; anything else (user info, spaces, colons) is refused. */
  private static final Pattern HOST_NAME = Pattern.compile("[\\p{Alnum}._-]+");

  public ServerAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("server host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("server port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("server weight must be >= 1: " + weight);
    }
  }

  /**
   * Parses {@code host:port} or {@code host:port*weight}; a missing port means 11211. IPv6 hosts
   * are written in brackets: {@code [::1]:11211*2}.
   */
  public static ServerAddress parse(String text) {
    if (text.indexOf('@') >= 0) {
      // user:password@host: the text is not echoed, it holds a password.
      throw new IllegalArgumentException(
          "a memcached server address may not carry user info (user:password@host): set memjcache.username and"
              + " memjcache.password instead");
    }
    String spec = text.trim();
    int weight = 1;
    int star = spec.lastIndexOf('*');
    if (star >= 0) {
      weight = parseNumber(spec.substring(star + 1), "weight", text);
      spec = spec.substring(0, star);
    }
    String host;
    int port = 11211;
    if (spec.startsWith("[")) {
      int close = spec.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("bad memcached server address '" + text + "': no closing ]");
      }
      host = ipv6(spec.substring(1, close), text);
      if (close + 1 < spec.length()) {
        if (spec.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("bad memcached server address '" + text + "': expected ]:port");
        }
        port = parseNumber(spec.substring(close + 2), "port", text);
      }
    } else {
      int colon = spec.indexOf(':');
      if (colon >= 0 && spec.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException(
            "bad memcached server address '" + text + "': write an IPv6 address in brackets, e.g. [::1]:11211");
      }
      host = colon < 0 ? spec : spec.substring(0, colon);
      if (colon >= 0) {
        port = parseNumber(spec.substring(colon + 1), "port", text);
      }
      if (!host.isEmpty() && !HOST_NAME.matcher(host).matches()) {
        throw new IllegalArgumentException("bad host in memcached server address '" + text + "'");
      }
    }
    try {
      return new ServerAddress(host, port, weight);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad memcached server address '" + text + "': " + e.getMessage(), e);
    }
  }

  /** The canonical text of an IPv6 literal (an optional {@code %zone} kept as written). */
  private static String ipv6(String literal, String text) {
    int percent = literal.indexOf('%');
    String address = percent < 0 ? literal : literal.substring(0, percent);
    String zone = percent < 0 ? "" : literal.substring(percent);
    if (address.indexOf(':') < 0 || !address.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("bad IPv6 address in memcached server address '" + text + "'");
    }
    try {
      // A literal: no name lookup happens.
      InetAddress ip = InetAddress.getByName(address);
      if (ip instanceof Inet4Address) {
        throw new IllegalArgumentException(
            "memcached server address '" + text + "' is an IPv4 address in IPv6 form: write it as " + ip.getHostAddress());
      }
      return canonical((Inet6Address) ip) + zone;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad IPv6 address in memcached server address '" + text + "'", e);
    }
  }

  /** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as ::. */
  static String canonical(Inet6Address ip) {
    byte[] bytes = ip.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }

  private static int parseNumber(String digits, String what, String text) {
    try {
      return Integer.parseInt(digits.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bad " + what + " in memcached server address '" + text + "'", e);
    }
  }

  /** The configured {@code host:port}, the node's name on the hash ring. */
  public String name() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return weight == 1 ? name() : name() + "*" + weight;
  }
}
