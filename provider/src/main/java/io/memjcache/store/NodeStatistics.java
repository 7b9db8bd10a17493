package io.memjcache.store;

import java.time.Duration;

/**
 * What one CacheManager sent to one memcached node since it connected: counters that only grow,
 * for metrics (rates come from two readings).
 *
 * @param node the node's configured name, {@code host:port}
 * @param commands commands routed to the node (a multi-get or a batch counts one per key)
 * @param errors calls that failed on the node for another reason than a timeout (a failed batch
 *     counts each of its keys)
 * @param timeouts calls the node did not answer within the operation timeout
 * @param timedCalls single-key calls whose round trip is in {@code totalLatency}
 * @param totalLatency the summed round trips of those calls, as the caller waited for them
 */
public record NodeStatistics(String node, long commands, long errors, long timeouts, long timedCalls,
    Duration totalLatency) {}
