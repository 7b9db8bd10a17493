package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.routing.ConfiguredNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class NodeAddressesTest {

  @Test
  void comparesResolvedAddressesByIpAndPort() throws Exception {
    InetAddress configured = InetAddress.getByAddress(null, new byte[] {127, 0, 0, 1});
    InetAddress reported = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    InetAddress other = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 2});
    InetSocketAddress node = new InetSocketAddress(configured, 11211);
    assertTrue(same(node, new InetSocketAddress(reported, 11211)));
    assertFalse(same(node, new InetSocketAddress(reported, 11212)));
    assertFalse(same(node, new InetSocketAddress(other, 11211)));
  }

  @Test
  void comparesHostNamesWhereUnresolved() {
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("cache-a.internal", 11211);
    assertTrue(same(unresolved, InetSocketAddress.createUnresolved("CACHE-A.internal", 11211)));
    assertFalse(same(unresolved, InetSocketAddress.createUnresolved("cache-b.internal", 11211)));
  }

  private static boolean same(InetSocketAddress a, InetSocketAddress b) {
    return NodeAddresses.sameEndpoint(a, b);
  }
}
