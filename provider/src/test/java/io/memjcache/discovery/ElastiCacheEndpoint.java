package io.memjcache.discovery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A stand-in for the one thing memcached does not do: an AWS ElastiCache / Google Memorystore
 * configuration endpoint answering {@code config get cluster}. It listens on 127.0.0.1 and a free
 * port; the nodes it names are meant to be real memcached processes. What it answers can be
 * changed at any time (a new version and node list, an older form, garbage, silence, a slow drip).
 *
 * <pre>{@code
 * try (ElastiCacheEndpoint endpoint = ElastiCacheEndpoint.start()) {
 *   endpoint.serve(1, List.of("127.0.0.1:40411", "127.0.0.1:40413"));
 *   properties.setProperty("memjcache.discovery", endpoint.spec());
 *   ...
 *   endpoint.serve(2, List.of("127.0.0.1:40411", "127.0.0.1:40413", "127.0.0.1:35007"));
 * }
 * }</pre>
 */
public final class ElastiCacheEndpoint implements AutoCloseable {

  private static final String CONFIG = "config get cluster";
  private static final String LEGACY = "get AmazonElastiCache:cluster";
  private static final long HANG_LIMIT_MILLIS = 120_000;

  /** What one connection gets for each command line it sends. */
  private record Behaviour(Function<String, byte[]> reply, boolean hang, long dripMillis) {}

  private final ServerSocket server;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile Behaviour behaviour;
  private volatile boolean closed;

  private ElastiCacheEndpoint(ServerSocket server) {
    this.server = server;
    this.behaviour = new Behaviour(command -> ascii("ERROR\r\n"), false, 0);
    Thread acceptor = new Thread(this::acceptLoop, "elasticache-endpoint-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on 127.0.0.1 and a free port; answers {@code ERROR} until told what to serve. */
  public static ElastiCacheEndpoint start() {
    try {
      return new ElastiCacheEndpoint(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    } catch (IOException e) {
      throw new IllegalStateException("could not listen on 127.0.0.1", e);
    }
  }

  /** The {@code memjcache.discovery} value naming this endpoint. */
  public String spec() {
    return "elasticache:127.0.0.1:" + port();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Commands received so far. */
  public int requests() {
    return requests.get();
  }

  /**
   * Answers {@code config get cluster} with {@code version} and the nodes {@code host:port} (each
   * as {@code host|ip|port}, the ip being the host when it is an IPv4 literal, else empty).
   */
  public ElastiCacheEndpoint serve(long version, List<String> nodeNames) {
    return serveLine(version, nodeLine(nodeNames));
  }

  /** The same with a {@code MemcachedCluster.serverList()}-style list: {@code "127.0.0.1:p1,127.0.0.1:p2"}. */
  public ElastiCacheEndpoint serve(long version, String serverList) {
    return serve(version, List.of(serverList.split(",")));
  }

  /** Answers {@code config get cluster} with {@code version} and a node line as written. */
  public ElastiCacheEndpoint serveLine(long version, String nodeLine) {
    byte[] answer = configAnswer(version, nodeLine);
    behaviour = new Behaviour(command -> command.equals(CONFIG) ? answer : ascii("ERROR\r\n"), false, 0);
    return this;
  }

  /** As an ElastiCache engine before 1.4.14: {@code ERROR} to {@code config}, the value to {@code get AmazonElastiCache:cluster}. */
  public ElastiCacheEndpoint serveLegacy(long version, List<String> nodeNames) {
    String body = body(version, nodeLine(nodeNames));
    byte[] value = ascii("VALUE AmazonElastiCache:cluster 0 " + body.length() + "\r\n" + body + "\r\nEND\r\n");
    behaviour = new Behaviour(command -> command.equals(LEGACY) ? value : ascii("ERROR\r\n"), false, 0);
    return this;
  }

  /** Answers every command with exactly these bytes. */
  public ElastiCacheEndpoint answerRaw(byte[] bytes) {
    byte[] copy = bytes.clone();
    behaviour = new Behaviour(command -> copy, false, 0);
    return this;
  }

  /** Accepts and reads, never answers (until closed). */
  public ElastiCacheEndpoint hang() {
    behaviour = new Behaviour(command -> new byte[0], true, 0);
    return this;
  }

  /** Sends a valid answer one byte every {@code perByte}. */
  public ElastiCacheEndpoint drip(long version, List<String> nodeNames, Duration perByte) {
    byte[] answer = configAnswer(version, nodeLine(nodeNames));
    behaviour = new Behaviour(command -> answer, false, Math.max(1, perByte.toMillis()));
    return this;
  }

  /** {@code CONFIG cluster 0 <bytes>\r\n<version>\n<nodes>\n\r\nEND\r\n}, the documented answer. */
  public static byte[] configAnswer(long version, String nodeLine) {
    String body = body(version, nodeLine);
    return ascii("CONFIG cluster 0 " + body.length() + "\r\n" + body + "\r\nEND\r\n");
  }

  /** {@code host|ip|port} entries separated by spaces. */
  public static String nodeLine(List<String> nodeNames) {
    return nodeNames.stream().map(ElastiCacheEndpoint::entry).collect(Collectors.joining(" "));
  }

  private static String entry(String name) {
    int colon = name.lastIndexOf(':');
    String host = name.substring(0, colon);
    String ip = host.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") ? host : "";
    return host + "|" + ip + "|" + name.substring(colon + 1);
  }

  private static String body(long version, String nodeLine) {
    return version + "\n" + nodeLine + "\n";
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.add(socket);
      Thread handler = new Thread(() -> handle(socket), "elasticache-endpoint-connection");
      handler.setDaemon(true);
      handler.start();
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      socket.setSoTimeout((int) HANG_LIMIT_MILLIS);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      for (int commands = 0; commands < 100 && !closed; commands++) {
        String command = readLine(in);
        if (command == null) {
          return;
        }
        requests.incrementAndGet();
        Behaviour now = behaviour;
        if (now.hang()) {
          long deadline = System.currentTimeMillis() + HANG_LIMIT_MILLIS;
          while (!closed && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
          }
          return;
        }
        byte[] reply = now.reply().apply(command);
        if (now.dripMillis() > 0) {
          for (byte b : reply) {
            if (closed) {
              return;
            }
            out.write(b);
            out.flush();
            Thread.sleep(now.dripMillis());
          }
        } else {
          out.write(reply);
          out.flush();
        }
      }
    } catch (IOException e) {
      // the client went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      connections.remove(socket);
    }
  }

  /** A command line without its CRLF; null at end of stream. Bounded: commands are short. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (line.size() < 1024) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    for (Socket socket : connections) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
