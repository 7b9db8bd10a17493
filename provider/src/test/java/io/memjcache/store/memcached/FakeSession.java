package io.memjcache.store.memcached;

import com.google.code.yanf4j.core.Session;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;

/** A socket-free xmemcached session: a remote address and an open/closed flag, nothing more. */
final class FakeSession {

  private FakeSession() {}

  /**
   * A session to {@code ip:port} whose address reports {@code hostName}, as a real session to
   * {@code 127.0.0.1} reports {@code localhost}.
   */
  static Session to(String hostName, byte[] ip, int port, AtomicBoolean closed) {
    InetSocketAddress remote;
    try {
      remote = new InetSocketAddress(InetAddress.getByAddress(hostName, ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
    String label = "FakeSession(" + remote + ")";
    return (Session)
        Proxy.newProxyInstance(
            Session.class.getClassLoader(),
            new Class<?>[] {Session.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getRemoteSocketAddress" -> remote;
                  case "isClosed" -> closed.get();
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  case "toString" -> label;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /** An open session to {@code localhost} (127.0.0.1) at {@code port}. */
  static Session localhost(int port) {
    return to("localhost", new byte[] {127, 0, 0, 1}, port, new AtomicBoolean());
  }
}
