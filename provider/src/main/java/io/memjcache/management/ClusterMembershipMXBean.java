package io.memjcache.management;

/**
 * The memcached nodes a CacheManager routes to, changeable at run time: {@code
 * io.memjcache:type=ClusterMembership,CacheManager=<uri>}.
 */
public interface ClusterMembershipMXBean {

  /** The nodes now, as {@code memjcache.servers} lists them ({@code host:port[*weight]}, comma separated), in name order. */
  String getServers();

  /**
   * Routes to these nodes from now on (same format as {@code memjcache.servers}); see the README's
   * "Changing the cluster" for what happens to the keys that move.
   */
  void changeServers(String servers);

  /** False from a change until the keys that moved are ordinary keys again. */
  boolean isSettled();
}
