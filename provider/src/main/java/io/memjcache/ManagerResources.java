package io.memjcache;

import io.memjcache.config.ClientSettings;
import io.memjcache.config.ClientSettingsResolver;
import io.memjcache.config.ClusterMember;
import io.memjcache.event.DetachedThreads;
import io.memjcache.management.MBeanRegistrar;
import io.memjcache.store.Store;
import io.memjcache.store.memcached.XMemcachedStore;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * What a CacheManager holds outside the Java heap: its memcached client (with its threads), its
 * background loader threads and its MXBeans. It refers to no manager, cache or class loader, so a
 * {@link java.lang.ref.Cleaner} can release it when a manager that was never closed becomes
 * unreachable.
 */
final class ManagerResources implements Runnable {

  private final ClientSettings settings;
  private final LongSupplier clock;
  private final MBeanRegistrar mbeans;
  private Store store;
  private ExecutorService background;
  private boolean released;

  ManagerResources(ClientSettings settings, LongSupplier clock, MBeanRegistrar mbeans) {
    this.settings = settings;
    this.clock = clock;
    this.mbeans = mbeans;
  }

  MBeanRegistrar mbeans() {
    return mbeans;
  }

  /** The client, connected on first use; its threads are detached from the caller's class loader. */
  synchronized Store store() {
    requireOpen();
    if (store == null) {
      store = DetachedThreads.call("memjcache-connect", () -> XMemcachedStore.connect(settings, clock));
    }
    return store;
  }

  /** Routes to {@code servers} (a {@code memjcache.servers} list) from now on. */
  void changeServers(String servers) {
    List<ClusterMember> members = ClientSettingsResolver.parseServers(servers).stream().map(ClusterMember::of).toList();
    store().changeMembership(members);
  }

  /** The nodes routed to now, as a {@code memjcache.servers} list. */
  String servers() {
    return store().membership().stream().map(member -> member.server().toString()).collect(Collectors.joining(","));
  }

  boolean isMembershipSettled() {
    return store().isMembershipSettled();
  }

  /** Runs {@code loadAll} work off the caller's thread, on daemon threads. */
  synchronized void runInBackground(Runnable task) {
    requireOpen();
    if (background == null) {
      background = Executors.newCachedThreadPool(DetachedThreads.daemon("memjcache-loader"));
    }
    background.execute(task);
  }

  /** Releases everything; idempotent. */
  @Override
  public synchronized void run() {
    if (released) {
      return;
    }
    released = true;
    mbeans.unregisterAll();
    if (background != null) {
      background.shutdown();
      background = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
  }

  private void requireOpen() {
    if (released) {
      throw new IllegalStateException("cache manager is closed");
    }
  }
}
