package io.memjcache.spring.boot;

import io.memjcache.MemcachedCacheManager;
import io.memjcache.store.NodeHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health {@code memcached}: every node of the current membership with one round trip on the
 * manager's own connections, all at once. UP when every node answers; DOWN names the nodes that did
 * not, and each node's detail gives its status and round-trip time (or why it is down).
 */
public class MemcachedHealthIndicator extends AbstractHealthIndicator {

  private final MemcachedCacheManager manager;
  private final Duration timeout;

  public MemcachedHealthIndicator(MemcachedCacheManager manager, Duration timeout) {
    super("memcached health check failed");
    this.manager = manager;
    this.timeout = timeout;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Map<String, Object> nodes = new LinkedHashMap<>();
    List<String> down = new ArrayList<>();
    for (NodeHealth node : manager.pingNodes(timeout)) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", node.up() ? "UP" : "DOWN");
      detail.put("roundTripMillis", node.roundTrip().toNanos() / 1e6);
      if (!node.up()) {
        detail.put("error", node.failure());
        down.add(node.node());
      }
      nodes.put(node.node(), detail);
    }
    if (down.isEmpty()) {
      builder.up();
    } else {
      builder.down().withDetail("down", down);
    }
    builder.withDetail("nodes", nodes);
  }
}
