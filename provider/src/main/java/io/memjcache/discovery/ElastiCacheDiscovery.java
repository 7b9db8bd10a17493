package io.memjcache.discovery;

import io.memjcache.config.ServerAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Membership from the configuration endpoint of AWS ElastiCache (Memcached) or Google Memorystore
 * for Memcached: the text command {@code config get cluster} answers
 * {@code CONFIG cluster 0 <bytes>\r\n<version>\n<host>|<ip>|<port> ...\n\r\nEND\r\n}. Each node's
 * ring name is {@code host:port} and it is connected at its ip (its host is resolved when the ip
 * is empty). An endpoint that answers {@code ERROR} (ElastiCache engines before 1.4.14, which AWS
 * still documents) is asked {@code get AmazonElastiCache:cluster}, whose value has the same form.
 *
 * <p>Each {@link #discover()} opens one connection and is bounded as a whole by the timeout
 * (connect, send and every read: a silent or slowly dripping endpoint fails in time), the answer by
 * {@link #MAX_ANSWER_BYTES}, a line by {@link #MAX_LINE_BYTES}, the node list by {@link
 * ClusterConfigParser#MAX_NODES}. Resolving the endpoint's own name is bounded by the system
 * resolver.
 */
public final class ElastiCacheDiscovery implements ClusterDiscovery {

  /** The longest configuration accepted (a node entry takes about 80 bytes). */
  static final int MAX_BODY_BYTES = 1 << 20;
  static final int MAX_ANSWER_BYTES = MAX_BODY_BYTES + 4096;
  static final int MAX_LINE_BYTES = 256;

  private static final Pattern CONFIG_HEADER = Pattern.compile("CONFIG cluster (\\d{1,10}) (\\d{1,8})");
  private static final Pattern LEGACY_HEADER = Pattern.compile("VALUE AmazonElastiCache:cluster (\\d{1,10}) (\\d{1,8})");

  private final String host;
  private final int port;
  private final Duration timeout;

  /**
   * @param host the configuration endpoint's host
   * @param port its port
   * @param timeout bound on one request: connect, send and read the whole answer
   */
  public ElastiCacheDiscovery(String host, int port, Duration timeout) {
    this.host = new ServerAddress(Objects.requireNonNull(host, "host"), port, 1).host();
    this.port = port;
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("discovery timeout must be positive and fit an int of milliseconds: " + timeout);
    }
    this.timeout = timeout;
  }

  @Override
  public DiscoveredCluster discover() throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket socket = new Socket()) {
      InetSocketAddress address = new InetSocketAddress(host, port);
      if (address.isUnresolved()) {
        throw new UnknownHostException(host + " does not resolve");
      }
      socket.connect(address, (int) Math.max(1, timeout.toMillis()));
      socket.setTcpNoDelay(true);
      DeadlineReader reader = new DeadlineReader(socket, deadline, MAX_ANSWER_BYTES);
      OutputStream out = socket.getOutputStream();
      send(out, "config get cluster");
      String header = reader.readLine(MAX_LINE_BYTES);
      Matcher matcher = CONFIG_HEADER.matcher(header);
      if (header.equals("ERROR")) {
        // Not an ElastiCache 1.4.14+ / Memorystore endpoint: the older form, or plain memcached.
        send(out, "get AmazonElastiCache:cluster");
        header = reader.readLine(MAX_LINE_BYTES);
        if (header.equals("END")) {
          throw new IOException("not a configuration endpoint: it answers neither `config get cluster` nor"
              + " `get AmazonElastiCache:cluster`");
        }
        matcher = LEGACY_HEADER.matcher(header);
      }
      if (!matcher.matches()) {
        throw new IOException("unexpected answer " + Excerpt.of(header));
      }
      long length = Long.parseLong(matcher.group(2));
      if (length > MAX_BODY_BYTES) {
        throw new IOException("a configuration of " + length + " bytes, more than " + MAX_BODY_BYTES + " accepted");
      }
      byte[] body = reader.readExactly((int) length);
      String end = reader.readLine(MAX_LINE_BYTES);
      if (!end.isEmpty()) {
        throw new IOException("the configuration is longer than its announced " + length + " bytes: " + Excerpt.of(end));
      }
      String last = reader.readLine(MAX_LINE_BYTES);
      if (!last.equals("END")) {
        throw new IOException("expected END after the configuration, got " + Excerpt.of(last));
      }
      return ClusterConfigParser.parse(body);
    } catch (SocketTimeoutException e) {
      SocketTimeoutException timedOut =
          new SocketTimeoutException("discovery " + this + ": no complete answer within " + timeout.toMillis() + " ms");
      timedOut.initCause(e);
      throw timedOut;
    } catch (IOException e) {
      throw new IOException("discovery " + this + ": " + e.getMessage(), e);
    }
  }

  private static void send(OutputStream out, String command) throws IOException {
    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public String toString() {
    return "elasticache:" + new ServerAddress(host, port, 1).name();
  }
}
