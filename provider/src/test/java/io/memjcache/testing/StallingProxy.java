package io.memjcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free loopback port in front of one memcached node, whose replies can be held
 * back: {@link #stall()} keeps every reply from reaching the client until {@link #resume()}, so
 * the node looks alive (connections stay open, requests are taken) but answers nothing. Requests
 * pass, unless {@link #stallRequests()} holds them too. For slow-node tests; one thread per
 * direction per connection.
 *
 * <p>It can also cut the node off while memcached keeps running with its data: {@link #cut()}
 * drops every connection and resets new ones as soon as they are accepted, until {@link
 * #restore()}. That is a network partition or a reset, not a restart: the node comes back with
 * its memory intact.
 */
public final class StallingProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private final AtomicLong requestBytesWhileStalled = new AtomicLong();
  private volatile boolean stalled;
  private volatile boolean requestsStalled;
  private volatile boolean cut;
  private volatile boolean closed;

  public StallingProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "stalling-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>} of the proxy, for a server list. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** From now on, replies are held back. */
  public void stall() {
    requestBytesWhileStalled.set(0);
    stalled = true;
  }

  /** Request bytes passed on to the node since the last {@link #stall()} while stalled. */
  public long requestBytesWhileStalled() {
    return requestBytesWhileStalled.get();
  }

  /**
   * From now on, requests are not read from the client either: once the sockets' buffers are
   * full, the client's writes stay queued in the client, as with a node that stopped reading.
   */
  public void stallRequests() {
    stall();
    requestsStalled = true;
  }

  /** Held replies (and held requests) flow again, in order. */
  public void resume() {
    synchronized (gate) {
      stalled = false;
      requestsStalled = false;
      gate.notifyAll();
    }
  }

  /** Drops every open connection; new ones are reset at once until {@link #restore()}. */
  public void cut() {
    synchronized (sockets) {
      cut = true;
      for (Socket socket : sockets) {
        closeQuietly(socket);
      }
      sockets.clear();
    }
  }

  /** New connections reach the node again. */
  public void restore() {
    cut = false;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (cut) {
          client.setSoLinger(true, 0); // a reset, as from a refused or partitioned peer
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket();
        upstream.connect(target, 2000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(upstream);
          if (cut) { // cut while this one was being connected
            closeQuietly(client);
            closeQuietly(upstream);
            continue;
          }
        }
        pump(client, upstream, false);
        pump(upstream, client, true);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean replies) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while (awaitFlowing(replies) && (n = in.read(buffer)) >= 0) {
          if (replies) {
            awaitNotStalled();
          } else if (stalled) {
            requestBytesWhileStalled.addAndGet(n);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the connection or the proxy closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "stalling-proxy-" + (replies ? "replies-" : "requests-") + port());
    thread.setDaemon(true);
    thread.start();
  }

  /** Blocks a request pump while requests are stalled; true to go on reading. */
  private boolean awaitFlowing(boolean replies) throws InterruptedException {
    if (!replies) {
      synchronized (gate) {
        while (requestsStalled && !closed) {
          gate.wait(100);
        }
      }
    }
    return true;
  }

  private void awaitNotStalled() throws InterruptedException {
    synchronized (gate) {
      while (stalled && !closed) {
        gate.wait(100);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    resume();
    closeQuietly(server);
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
