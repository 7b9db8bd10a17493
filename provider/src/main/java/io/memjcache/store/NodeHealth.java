package io.memjcache.store;

import java.time.Duration;

/**
 * One memcached node's answer to a health check: a round trip on the manager's own connection.
 *
 * @param node the node's configured name, {@code host:port}
 * @param up whether it answered in time
 * @param roundTrip how long the answer took (up), or how long was waited (down)
 * @param failure why it is down (no connection, timeout, error reply); null when up
 */
public record NodeHealth(String node, boolean up, Duration roundTrip, String failure) {}
