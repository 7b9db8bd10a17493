package io.memjcache.store.memcached;

import io.memjcache.config.ClientSettings;
import io.memjcache.config.Secret;
import io.memjcache.config.ServerAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.cache.CacheException;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.auth.AuthInfo;
import net.rubyeye.xmemcached.networking.MemcachedSession;
import net.rubyeye.xmemcached.utils.AddrUtil;

/**
 * SASL PLAIN authentication (memcached {@code -S}, binary protocol only): registers the credentials
 * for every node, and at start makes sure each reachable node accepted them, so that a wrong
 * password fails {@code getCacheManager} with a clear error instead of every later operation.
 * The password is handed only to xmemcached's SASL client; messages name the user, never it.
 */
final class Sasl {

  private static final long POLL_MILLIS = 20;
  /** Commands sent before a fresh connection finished authenticating are refused: allow for that. */
  private static final long AUTH_GRACE_NANOS = 1_500_000_000L;

  private Sasl() {}

  static void configure(
      XMemcachedClientBuilder builder, List<InetSocketAddress> addresses, String username, Secret password) {
    String pass = new String(password.bytes(), StandardCharsets.UTF_8);
    for (InetSocketAddress address : addresses) {
      // xmemcached looks credentials up by the host string a session reports, which may be the
      // configured name, the IP or its reverse name ("localhost"): register each.
      for (InetSocketAddress variant : variants(address)) {
        builder.addAuthInfo(variant, AuthInfo.plain(username, pass));
      }
    }
  }

  /** Registers the credentials for a node added at run time, before it is connected. */
  static void authorize(MemcachedClient client, InetSocketAddress address, String username, Secret password) {
    String pass = new String(password.bytes(), StandardCharsets.UTF_8);
    java.util.Map<InetSocketAddress, AuthInfo> all = new java.util.HashMap<>(client.getAuthInfoMap());
    for (InetSocketAddress variant : variants(address)) {
      all.put(variant, AuthInfo.plain(username, pass));
    }
    client.setAuthInfoMap(all);
  }

  private static Set<InetSocketAddress> variants(InetSocketAddress address) {
    Set<InetSocketAddress> variants = new LinkedHashSet<>();
    variants.add(address);
    InetAddress ip = address.getAddress();
    if (ip != null) {
      variants.add(new InetSocketAddress(ip.getHostAddress(), address.getPort()));
      variants.add(new InetSocketAddress(ip.getHostName(), address.getPort()));
      variants.add(new InetSocketAddress(ip.getCanonicalHostName(), address.getPort()));
    }
    return variants;
  }

  /**
   * Waits (up to the connect timeout) until one read on each node succeeds; fails when a node
   * refused the credentials. A node that cannot be reached is left to the background reconnects.
   */
  static void verify(MemcachedClient client, List<ServerAddress> servers, RingSessionLocator locator, ClientSettings settings) {
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    for (ServerAddress server : servers) {
      String probe = probeKeyFor(server.name(), locator);
      Exception last = null;
      long refusedSince = 0;
      while (true) {
        try {
          client.get(probe, settings.operationTimeout().toMillis(), RawTranscoder.INSTANCE);
          break;
        } catch (Exception e) {
          last = e;
        }
        boolean refused = authFailed(client, server) || String.valueOf(last.getMessage()).toLowerCase().contains("auth");
        if (refused && refusedSince == 0) {
          refusedSince = System.nanoTime();
        }
        boolean timedOut = System.nanoTime() - deadline > 0;
        // Refused now and for the grace period, or refused at some point and never answered by the
        // deadline (a slow machine: xmemcached's reconnect cycle interleaves other errors).
        if ((refused && System.nanoTime() - refusedSince > AUTH_GRACE_NANOS) || (timedOut && refusedSince != 0)) {
          shutdownQuietly(client);
          throw new CacheException("memcached node " + server.name() + " refused SASL PLAIN authentication as user '"
              + settings.username() + "' (check memjcache.username and memjcache.password)");
        }
        if (timedOut) {
          org.slf4j.LoggerFactory.getLogger(Sasl.class).warn(
              "memcached node {} did not answer an authenticated read within the connect timeout: {}",
              server.name(), String.valueOf(last));
          break;
        }
        sleep();
      }
    }
  }

  private static boolean authFailed(MemcachedClient client, ServerAddress server) {
    for (var session : client.getConnector().getSessionSet()) {
      if (session instanceof MemcachedSession memcached && memcached.isAuthFailed()
          && AddrUtil.getServerString(session.getRemoteSocketAddress()).endsWith(":" + server.port())) {
        return true;
      }
    }
    return false;
  }

  /** A key the ring places on {@code node}. */
  private static String probeKeyFor(String node, RingSessionLocator locator) {
    for (int i = 0; ; i++) {
      String key = "memjcache-auth-probe-" + i;
      if (node.equals(locator.homeNodeName(key)) || i > 100_000) {
        return key;
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while authenticating to memcached", e);
    }
  }

  private static void shutdownQuietly(MemcachedClient client) {
    try {
      client.shutdown();
    } catch (Exception ignored) {
      // failing anyway
    }
  }
}
