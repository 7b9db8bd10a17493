package io.memjcache.cache;

import io.memjcache.config.ClientSettings;
import io.memjcache.config.ClientSettingsResolver;
import io.memjcache.config.ClusterMember;
import io.memjcache.config.ServerAddress;
import io.memjcache.discovery.ClusterDiscovery;
import io.memjcache.discovery.DiscoveryPoller;
import io.memjcache.discovery.ResolvingServerList;
import io.memjcache.event.DetachedThreads;
import io.memjcache.management.MBeanRegistrar;
import io.memjcache.store.Store;
import io.memjcache.store.memcached.XMemcachedStore;
import java.time.Duration;
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
public final class ManagerResources implements Runnable {

  private final ClientSettings settings;
  private final LongSupplier clock;
  private final MBeanRegistrar mbeans;
  private Store store;
  private volatile DiscoveryPoller poller;
  private volatile ResolvingServerList configured;
  private volatile RuntimeException lastChangeFailure;
  private final Object changeLock = new Object();
  private ExecutorService background;
  private boolean released;

  public ManagerResources(ClientSettings settings, LongSupplier clock, MBeanRegistrar mbeans) {
    this.settings = settings;
    this.clock = clock;
    this.mbeans = mbeans;
  }

  public MBeanRegistrar mbeans() {
    return mbeans;
  }

  /** The client, connected on first use; its threads are detached from the caller's class loader. */
  public synchronized Store store() {
    requireOpen();
    if (store == null) {
      store = DetachedThreads.call("memjcache-connect", this::connect);
    }
    return store;
  }

  /**
   * Connects to the first membership of the source (discovery, else the configured servers with
   * their names resolved), then follows the source on a poller thread.
   */
  private Store connect() {
    ClusterDiscovery source = settings.discovers()
        ? ClusterDiscovery.from(settings.discovery(), settings.connectTimeout())
        : (configured = new ResolvingServerList(settings.servers()));
    Duration interval = settings.discoveryInterval();
    Store[] connected = new Store[1];
    DiscoveryPoller follower = new DiscoveryPoller(source, interval, members -> apply(connected[0], members),
        "memjcache-discovery-" + settings.namespace());
    try {
      connected[0] = XMemcachedStore.connect(settings, follower.initial(), clock);
    } catch (RuntimeException e) {
      follower.close();
      throw e;
    }
    follower.start();
    poller = follower;
    return connected[0];
  }

  /** A membership the poller found; a failure is kept for {@link #changeServers} to report. */
  private void apply(Store target, List<ClusterMember> members) {
    try {
      target.changeMembership(members);
    } catch (RuntimeException e) {
      lastChangeFailure = e;
      throw e;
    }
  }

  /**
   * Routes to {@code servers} (a {@code memjcache.servers} list) from now on; its names are
   * resolved again at every poll, as configured ones are.
   *
   * @throws IllegalStateException when the nodes are discovered: the next poll would undo it
   */
  public void changeServers(String servers) {
    List<ServerAddress> parsed = ClientSettingsResolver.parseServers(servers);
    store();
    if (settings.discovers()) {
      throw new IllegalStateException("the memcached nodes are discovered (memjcache.discovery = "
          + settings.discovery().source() + "): change them at the source");
    }
    synchronized (changeLock) {
      ResolvingServerList list = configured;
      DiscoveryPoller follower = poller;
      if (list == null || follower == null) {
        throw new IllegalStateException("cache manager is closed");
      }
      list.replace(parsed);
      lastChangeFailure = null;
      follower.pollNow(); // applies it on this thread, serialized with the poller's own polls
      RuntimeException failure = lastChangeFailure;
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** The nodes routed to now, as a {@code memjcache.servers} list. */
  public String servers() {
    return store().membership().stream().map(member -> member.server().toString()).collect(Collectors.joining(","));
  }

  public boolean isMembershipSettled() {
    return store().isMembershipSettled();
  }

  /** Runs {@code loadAll} work off the caller's thread, on daemon threads. */
  public synchronized void runInBackground(Runnable task) {
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
    if (poller != null) {
      poller.close(); // before the store: no change is applied to a closed client
      poller = null;
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
