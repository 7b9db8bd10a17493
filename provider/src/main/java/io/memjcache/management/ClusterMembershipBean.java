package io.memjcache.management;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@link ClusterMembershipMXBean} over a manager's client. It holds only the functions it is
 * given, never the manager, so a registered bean does not keep a manager reachable.
 */
public final class ClusterMembershipBean implements ClusterMembershipMXBean {

  private final Supplier<String> servers;
  private final Consumer<String> change;
  private final BooleanSupplier settled;

  public ClusterMembershipBean(Supplier<String> servers, Consumer<String> change, BooleanSupplier settled) {
    this.servers = servers;
    this.change = change;
    this.settled = settled;
  }

  @Override
  public String getServers() {
    return servers.get();
  }

  @Override
  public void changeServers(String servers) {
    change.accept(servers);
  }

  @Override
  public boolean isSettled() {
    return settled.getAsBoolean();
  }
}
