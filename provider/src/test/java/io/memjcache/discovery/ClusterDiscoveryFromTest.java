package io.memjcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A {@code memjcache.discovery} value becomes the source it names. */
class ClusterDiscoveryFromTest {

  @Test
  void eachKindBecomesItsSource() {
    ClusterDiscovery dns = ClusterDiscovery.from("dns:memcached.shop.svc:11211", Duration.ofSeconds(1));
    assertTrue(dns instanceof DnsDiscovery, dns.getClass().getName());
    assertEquals("dns:memcached.shop.svc:11211", dns.toString());
    ClusterDiscovery aws = ClusterDiscovery.from("elasticache:shop.cfg.use1.cache.amazonaws.com:11211", Duration.ofSeconds(1));
    assertTrue(aws instanceof ElastiCacheDiscovery, aws.getClass().getName());
    assertEquals("elasticache:shop.cfg.use1.cache.amazonaws.com:11211", aws.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterDiscovery.from("zookeeper:zk:2181", Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("memjcache.discovery"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new ElastiCacheDiscovery("host", 11211, Duration.ZERO));
  }
}
