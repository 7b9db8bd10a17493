package io.memjcache.config;

import java.net.InetSocketAddress;

/**
 * One configured memcached node. {@link #name()} is the {@code host:port} string exactly as
 * configured: the hash ring is built from these names, so every client given the same server list
 * routes every key to the same node.
 */
public record ServerAddress(String host, int port, int weight) {

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
   * are written in brackets: {@code [::1]:11211}.
   */
  public static ServerAddress parse(String text) {
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
        throw new IllegalArgumentException("bad memcached server address '" + text + "'");
      }
      host = spec.substring(1, close);
      if (close + 1 < spec.length()) {
        if (spec.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("bad memcached server address '" + text + "'");
        }
        port = parseNumber(spec.substring(close + 2), "port", text);
      }
    } else {
      int colon = spec.lastIndexOf(':');
      host = colon < 0 ? spec : spec.substring(0, colon);
      if (colon >= 0) {
        port = parseNumber(spec.substring(colon + 1), "port", text);
      }
    }
    try {
      return new ServerAddress(host, port, weight);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad memcached server address '" + text + "': " + e.getMessage(), e);
    }
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
