package io.memjcache.store.memcached;

import com.google.code.yanf4j.core.impl.StandardSocketOption;
import io.memjcache.codec.KeyCodec;
import io.memjcache.config.ClientSettings;
import io.memjcache.config.ClusterMember;
import io.memjcache.config.ClientSettings.FailureMode;
import io.memjcache.config.ServerAddress;
import io.memjcache.store.BatchMaps;
import io.memjcache.store.BatchOutcome;
import io.memjcache.store.NodeHealth;
import io.memjcache.store.NodeStatistics;
import io.memjcache.store.Store;
import io.memjcache.store.StoreEntry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import javax.cache.CacheException;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.exception.MemcachedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Store} on a memcached cluster through xmemcached's binary protocol, routed by our
 * consistent-hash ring. The only class that talks to xmemcached.
 */
public final class XMemcachedStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(XMemcachedStore.class);
  /** Item header, CAS and line ends that memcached counts against its item size limit. */
  private static final int ITEM_OVERHEAD = 64;
  private static final int DEFAULT_ITEM_SIZE_MAX = 1024 * 1024;
  private static final long REACTOR_WAKE_UP_MILLIS = 10;
  /**
   * The socket send buffer asked of the kernel for each connection (Linux doubles it). xmemcached's
   * default, 32 KiB, fixes the buffer at 64 KiB and turns off its autotuning; a write longer than
   * that then waits for the node's delayed ACK (40 ms on Linux) about every 64 KiB, so a value of
   * 900 KB took half a second to send. The kernel takes memory for queued bytes only.
   */
  private static final int SEND_BUFFER_BYTES = 1024 * 1024;

  private final MemcachedClient client;
  private final RingSessionLocator locator;
  private final KeyLister keyLister;
  private final NodeDeleter nodeDeleter;
  private final LongSupplier clock;
  private final long timeoutMillis;
  private final OutageTags outages;
  private final MovedKeys moved;
  private final ClusterMembership membership;
  private final Pipeline pipeline;
  private final boolean authenticated;
  private final NodeMeters meters = new NodeMeters();
  private volatile int itemSizeMax;

  private XMemcachedStore(MemcachedClient client, RingSessionLocator locator,
      ClientSettings settings, List<ClusterMember> members, LongSupplier clock) {
    this.client = client;
    this.locator = locator;
    this.clock = clock;
    this.timeoutMillis = settings.operationTimeout().toMillis();
    this.authenticated = settings.authenticates();
    Duration plainSocketTimeout = settings.operationTimeout().plus(settings.connectTimeout());
    ClusterMembership[] self = new ClusterMembership[1];
    this.keyLister = new KeyLister(() -> self[0].reachableAddresses(), plainSocketTimeout);
    this.nodeDeleter = new NodeDeleter(plainSocketTimeout);
    this.outages = new OutageTags(client, locator, name -> self[0].addressOf(name), timeoutMillis);
    this.moved = new MovedKeys(client, locator, timeoutMillis);
    this.membership = new ClusterMembership(client, locator, moved, keyLister, nodeDeleter, outages, settings,
        KeyCodec.namespacePrefix(settings.namespace()), members);
    self[0] = membership;
    this.pipeline = new Pipeline(locator::getSessionByKey, timeoutMillis);
  }

  /** Connects a client to the configured nodes. Unreachable nodes are retried in the background. */
  public static XMemcachedStore connect(ClientSettings settings, LongSupplier clock) {
    return connect(settings, settings.servers().stream().map(ClusterMember::of).toList(), clock);
  }

  /**
   * Connects a client to {@code members} (discovered rather than configured). Unreachable nodes
   * are retried in the background.
   */
  public static XMemcachedStore connect(ClientSettings settings, List<ClusterMember> members, LongSupplier clock) {
    List<InetSocketAddress> addresses = members.stream().map(ClusterMember::socketAddress).toList();
    RingSessionLocator locator = RingSessionLocator.of(members);
    XMemcachedClientBuilder builder = new XMemcachedClientBuilder(addresses);
    builder.setCommandFactory(new BinaryCommandFactory());
    builder.setSessionLocator(locator);
    builder.setTranscoder(RawTranscoder.INSTANCE);
    builder.setOpTimeout(settings.operationTimeout().toMillis());
    builder.setConnectTimeout(settings.connectTimeout().toMillis());
    builder.setConnectionPoolSize(settings.connectionPoolSize());
    builder.setFailureMode(settings.failureMode() == FailureMode.FAIL_FAST);
    builder.setName("memjcache-" + settings.namespace());
    builder.setConfiguration(reactorConfiguration());
    builder.setSocketOption(StandardSocketOption.SO_SNDBUF, SEND_BUFFER_BYTES);
    // Addresses are resolved by the membership (configured names again at every poll); xmemcached
    // resolving a node's host name again when it reconnects would send every address of a DNS
    // name to its first one.
    builder.setResolveInetAddresses(false);
    if (settings.authenticates()) {
      Sasl.configure(builder, addresses, settings.username(), settings.password());
    }
    try {
      MemcachedClient client = builder.build();
      if (settings.authenticates()) {
        Sasl.verify(client, members.stream().map(ClusterMember::server).toList(), locator, settings);
      }
      logConnected(settings, members, client.getAvailableServers());
      return new XMemcachedStore(client, locator, settings, members, clock);
    } catch (IOException e) {
      throw new CacheException("cannot start a memcached client for " + members + ": " + e.getMessage(), e);
    }
  }

  /** The one line a new client logs: which nodes it was given and which answered (never credentials). */
  private static void logConnected(ClientSettings settings, List<ClusterMember> members,
      Collection<InetSocketAddress> connected) {
    List<String> up = new ArrayList<>();
    List<String> down = new ArrayList<>();
    for (ClusterMember member : members) {
      (connected.contains(member.socketAddress()) ? up : down).add(member.name());
    }
    if (down.isEmpty()) {
      LOG.info("memjcache (namespace {}): connected to memcached nodes {}", settings.namespace(), up);
    } else {
      LOG.info("memjcache (namespace {}): connected to memcached nodes {}; not reachable yet, retried in the background: {}",
          settings.namespace(), up, down);
    }
  }

  @Override
  public void changeMembership(List<ClusterMember> members) {
    membership.change(members);
  }

  @Override
  public List<ClusterMember> membership() {
    return membership.members();
  }

  @Override
  public boolean isMembershipSettled() {
    return membership.isSettled();
  }

  /**
   * xmemcached's reactor (yanf4j) can miss the wake-up for a write queued by a caller thread while
   * it is between draining its queue and re-arming its flag; the write then waits for the
   * selector's 1 s timeout (measured here: about one operation in ten thousand on 3 nodes stalled
   * exactly 1001 ms). Checking sessions every 10 ms caps that wait at ~10 ms, at the price of
   * reactor threads waking 100 times a second when idle.
   */
  private static com.google.code.yanf4j.config.Configuration reactorConfiguration() {
    com.google.code.yanf4j.config.Configuration configuration = XMemcachedClientBuilder.getDefaultConfiguration();
    configuration.setCheckSessionTimeoutInterval(REACTOR_WAKE_UP_MILLIS);
    return configuration;
  }

  @Override
  public StoreEntry get(String key) {
    return moved.isMoved(key) ? getMoved(key) : plainGet(key);
  }

  /** A moved key: its copies must agree (see {@link MovedKeys}). */
  private StoreEntry getMoved(String key) {
    StoreEntry entry = plainGet(key);
    if (moved.agree(key, entry)) {
      return entry;
    }
    evict(key); // a lagging client wrote or removed it on a former home, or a copy is from another era
    return null;
  }

  /** Deletes every copy of a moved key. */
  private void evict(String key) {
    moved.delete(key);
    plainDelete(key);
  }

  private StoreEntry plainGet(String key) {
    try {
      GetsResponse<StoreEntry> response = onWire(key, wire -> client.gets(wire, timeoutMillis, RawTranscoder.INSTANCE));
      if (response == null) {
        return null;
      }
      return withCas(response);
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("get", key, e);
    }
  }

  @Override
  public Map<String, StoreEntry> getAll(Collection<String> keys) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    if (membership.isSettled()) {
      return plainGetAll(keys);
    }
    List<String> stayed = new ArrayList<>(keys.size());
    List<String> movedKeys = new ArrayList<>();
    for (String key : keys) {
      (moved.isMoved(key) ? movedKeys : stayed).add(key);
    }
    if (movedKeys.isEmpty()) {
      return plainGetAll(keys);
    }
    Map<String, StoreEntry> found = new HashMap<>(plainGetAll(stayed));
    for (String key : movedKeys) {
      StoreEntry entry = getMoved(key);
      if (entry != null) {
        found.put(key, entry);
      }
    }
    return found;
  }

  private Map<String, StoreEntry> plainGetAll(Collection<String> keys) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    try {
      // A binary multi-get (getkq) returns each entry's CAS token, which xmemcached hands to the
      // transcoder: a plain get, no per-entry GetsResponse and no second map.
      Collection<String> wireKeys = wireKeys(keys);
      Map<String, StoreEntry> found;
      try {
        found = client.get(wireKeys, timeoutMillis, RawTranscoder.INSTANCE);
      } catch (MemcachedException e) {
        if (!locator.failsOver() || !unsent(e)) {
          throw e;
        }
        wireKeys = wireKeys(keys); // a node dropped meanwhile (see onWire): once more
        found = client.get(wireKeys, timeoutMillis, RawTranscoder.INSTANCE);
      }
      boolean tagged = wireKeys != keys && hasTagged(wireKeys);
      if (found == null) {
        return Map.of();
      }
      if (!tagged) {
        return found;
      }
      Map<String, StoreEntry> byKey = new HashMap<>(found.size() * 2);
      found.forEach((wire, entry) -> byKey.put(OutageTags.untagged(wire), entry));
      return byKey;
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("get of " + keys.size() + " keys", keys, e);
    }
  }

  private Collection<String> wireKeys(Collection<String> keys) {
    if (!locator.failsOver()) {
      return keys;
    }
    List<String> wire = new ArrayList<>(keys.size());
    for (String key : keys) {
      wire.add(outages.wireKey(key));
    }
    return wire;
  }

  private static boolean hasTagged(Collection<String> wireKeys) {
    for (String wire : wireKeys) {
      if (OutageTags.isTagged(wire)) {
        return true;
      }
    }
    return false;
  }

  /** One call on the wire, for a key's current wire form. */
  @FunctionalInterface
  private interface WireCall<T> {
    T on(String wireKey) throws TimeoutException, InterruptedException, MemcachedException;
  }

  /**
   * Runs {@code call} on {@code key}'s wire key. In fail-over mode a call that xmemcached refused
   * to send because the node's session closed between choosing the wire key and routing it
   * (nothing was sent) is tried once more with a wire key chosen again: the locator never sends an
   * untagged key anywhere but its home, so the first try failed instead of landing elsewhere.
   */
  private <T> T onWire(String key, WireCall<T> call) throws TimeoutException, InterruptedException, MemcachedException {
    long start = System.nanoTime();
    try {
      return call.on(outages.wireKey(key));
    } catch (MemcachedException e) {
      if (!locator.failsOver() || !unsent(e)) {
        throw e;
      }
      return call.on(outages.wireKey(key));
    } finally {
      meters.timed(locator.lastRoutedNode(), System.nanoTime() - start);
    }
  }

  /** Whether xmemcached refused to send a command because the chosen session was closed. */
  private static boolean unsent(MemcachedException e) {
    String message = e.getMessage();
    return message != null && message.endsWith("has been closed");
  }

  /** The entry with the response's CAS token (the transcoder usually has it already). */
  private static StoreEntry withCas(GetsResponse<StoreEntry> response) {
    StoreEntry value = response.getValue();
    return value.cas() == response.getCas() ? value : new StoreEntry(value.flags(), value.data(), response.getCas());
  }

  @Override
  public void set(String key, int flags, byte[] data, long expiresAt) {
    if (!moved.isMoved(key)) {
      plainSet(key, flags, data, expiresAt);
      return;
    }
    plainSet(key, flags, data, expiresAt);
    moved.set(key, new StoreEntry(flags, data, 0), exptime(key, expiresAt));
  }

  private void plainSet(String key, int flags, byte[] data, long expiresAt) {
    checkSize(key, data);
    try {
      StoreEntry entry = new StoreEntry(flags, data, 0);
      if (!onWire(key, wire -> client.set(wire, exptime(wire, expiresAt), entry, RawTranscoder.INSTANCE, timeoutMillis))) {
        throw new CacheException("memcached node " + nodeFor(key) + " refused to store " + key);
      }
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("set", key, e);
    }
  }

  @Override
  public boolean add(String key, int flags, byte[] data, long expiresAt) {
    if (!moved.isMoved(key)) {
      return plainAdd(key, flags, data, expiresAt);
    }
    if (!plainAdd(key, flags, data, expiresAt)) {
      return false;
    }
    if (!moved.add(key, new StoreEntry(flags, data, 0), exptime(key, expiresAt))) {
      evict(key); // a lagging client holds the key on a former home: neither copy wins silently
    }
    return true;
  }

  private boolean plainAdd(String key, int flags, byte[] data, long expiresAt) {
    checkSize(key, data);
    try {
      StoreEntry entry = new StoreEntry(flags, data, 0);
      return onWire(key, wire -> client.add(wire, exptime(wire, expiresAt), entry, RawTranscoder.INSTANCE, timeoutMillis));
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("add", key, e);
    }
  }

  @Override
  public boolean compareAndSet(String key, long cas, int flags, byte[] data, long expiresAt) {
    boolean written = plainCompareAndSet(key, cas, flags, data, expiresAt);
    if (written && moved.isMoved(key) && !moved.compareAndSet(key, cas, new StoreEntry(flags, data, 0), exptime(key, expiresAt))) {
      evict(key); // a former home changed since the read this write is based on
    }
    return written;
  }

  private boolean plainCompareAndSet(String key, long cas, int flags, byte[] data, long expiresAt) {
    checkSize(key, data);
    try {
      StoreEntry entry = new StoreEntry(flags, data, 0);
      return onWire(key, wire -> client.cas(wire, exptime(wire, expiresAt), entry, RawTranscoder.INSTANCE, timeoutMillis, cas));
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("cas", key, e);
    }
  }

  /** Direct batch buffers this store's pipeline made so far (for tests). */
  int batchBuffersCreated() {
    return pipeline.buffersCreated();
  }

  @Override
  public BatchOutcome setAll(List<Store.Write> writes) {
    for (Store.Write write : writes) {
      checkSize(write.key(), write.data()); // refused before anything is sent
    }
    if (!pipelinable()) {
      Map<String, BooleanSupplier> calls = new LinkedHashMap<>();
      for (Store.Write write : writes) {
        calls.put(write.key(), () -> {
          set(write.key(), write.flags(), write.data(), write.expiresAt());
          return true;
        });
      }
      return oneByOne(calls);
    }
    List<String> keys = new ArrayList<>(writes.size());
    List<QuietCommand> commands = new ArrayList<>(writes.size());
    for (Store.Write write : writes) {
      keys.add(write.key());
      commands.add(QuietCommand.set(write.key(), write.flags(), exptime(write.key(), write.expiresAt()), 0, write.data()));
    }
    return outcome("set", keys, commands, true);
  }

  @Override
  public BatchOutcome compareAndSetAll(List<Store.Conditional> writes) {
    for (Store.Conditional write : writes) {
      if (write.data() != null) {
        checkSize(write.key(), write.data());
      }
    }
    if (!pipelinable()) {
      Map<String, BooleanSupplier> calls = new LinkedHashMap<>();
      for (Store.Conditional write : writes) {
        calls.put(write.key(), () -> write.data() == null
            ? delete(write.key(), write.cas())
            : compareAndSet(write.key(), write.cas(), write.flags(), write.data(), write.expiresAt()));
      }
      return oneByOne(calls);
    }
    List<String> keys = new ArrayList<>(writes.size());
    List<QuietCommand> commands = new ArrayList<>(writes.size());
    for (Store.Conditional write : writes) {
      keys.add(write.key());
      commands.add(write.data() == null
          ? QuietCommand.delete(write.key(), write.cas())
          : QuietCommand.set(write.key(), write.flags(), exptime(write.key(), write.expiresAt()), write.cas(), write.data()));
    }
    return outcome("cas", keys, commands, false);
  }

  @Override
  public BatchOutcome deleteAll(Map<String, Long> casByKey) {
    if (!pipelinable()) {
      Map<String, BooleanSupplier> calls = new LinkedHashMap<>();
      casByKey.forEach((key, cas) -> calls.put(key, () -> cas == 0 ? delete(key) : delete(key, cas)));
      return oneByOne(calls);
    }
    List<String> keys = new ArrayList<>(casByKey.size());
    List<QuietCommand> commands = new ArrayList<>(casByKey.size());
    casByKey.forEach((key, cas) -> {
      keys.add(key);
      commands.add(QuietCommand.delete(key, cas));
    });
    return outcome("delete", keys, commands, false);
  }

  /** A batch done key by key, in order; a key's failure is its own. */
  private static BatchOutcome oneByOne(Map<String, BooleanSupplier> calls) {
    Map<String, Boolean> done = new HashMap<>();
    Map<String, CacheException> failed = new HashMap<>();
    calls.forEach((key, call) -> {
      try {
        done.put(key, call.getAsBoolean());
      } catch (CacheException e) {
        failed.put(key, e);
      }
    });
    return new BatchOutcome(done, failed);
  }

  /**
   * Whether batches may go out as they are: in fail-over mode a key's wire form depends on its
   * node's state, and a moved key's copies are handled one by one (see {@link MovedKeys}).
   */
  private boolean pipelinable() {
    return !locator.failsOver() && membership.isSettled();
  }

  /** Runs quiet {@code commands} (one per key) pipelined; {@code mustBeTrue}: a false answer is a failure. */
  private BatchOutcome outcome(String operation, List<String> keys, List<QuietCommand> commands, boolean mustBeTrue) {
    List<Pipeline.Answer> answers;
    try {
      answers = pipeline.run(commands);
    } catch (InterruptedException e) {
      throw failure(operation + " of " + keys.size() + " keys", keys, e);
    }
    Map<String, Boolean> done = new HashMap<>(BatchMaps.capacityFor(keys.size()));
    Map<String, CacheException> failed = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      Pipeline.Answer answer = answers.get(i);
      if (answer.failure() != null) {
        failed.put(key, failure(operation, key, answer.failure()));
      } else if (mustBeTrue && !answer.done()) {
        failed.put(key, new CacheException("memcached node " + nodeFor(key) + " refused to store " + key));
      } else {
        done.put(key, answer.done());
      }
    }
    return new BatchOutcome(done, failed);
  }

  @Override
  public boolean delete(String key) {
    if (!moved.isMoved(key)) {
      return plainDelete(key);
    }
    boolean deleted = plainDelete(key);
    return moved.delete(key) || deleted;
  }

  private boolean plainDelete(String key) {
    try {
      return onWire(key, wire -> client.delete(wire, timeoutMillis));
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("delete", key, e);
    }
  }

  @Override
  public boolean delete(String key, long cas) {
    boolean deleted;
    try {
      deleted = onWire(key, wire -> client.delete(wire, cas, timeoutMillis));
    } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
      throw failure("delete", key, e);
    }
    if (deleted && moved.isMoved(key)) {
      moved.delete(key); // a write there meanwhile comes before this delete
    }
    return deleted;
  }

  @Override
  public List<String> keysWithPrefix(String prefix) {
    requireListing();
    // Stand-in entries are reached through their untagged keys (an old outage's: a miss).
    return keyLister.keysWithPrefix(prefix).stream().map(OutageTags::untagged).distinct().toList();
  }

  /** Deletes every copy where it was listed: on each node, whatever the ring says. */
  @Override
  public void deleteWithPrefix(String prefix) {
    requireListing();
    keyLister.keysByNode(prefix).forEach(nodeDeleter::delete);
  }

  @Override
  public void deleteStrayCopies(String prefix) {
    requireListing();
    Map<InetSocketAddress, String> namesByAddress = new HashMap<>();
    membership.members().forEach(member -> namesByAddress.put(member.socketAddress(), member.name()));
    keyLister.keysByNode(prefix).forEach((address, keys) -> {
      String node = namesByAddress.get(address);
      nodeDeleter.delete(address, keys.stream().filter(key -> !reachable(node, key)).toList());
    });
  }

  /** Whether this client reads {@code wireKey} on {@code node}: its home, or its current stand-in. */
  private boolean reachable(String node, String wireKey) {
    if (node == null) {
      return false; // a node that left the membership
    }
    if (!OutageTags.isTagged(wireKey)) {
      return node.equals(locator.homeNodeName(wireKey));
    }
    return outages.isCurrentStandIn(wireKey) && node.equals(locator.nodeNameFor(wireKey));
  }

  private void requireListing() {
    if (authenticated) {
      throw new CacheException("listing a cache's keys (iterator, clear, removeAll, destroyCache) is unavailable"
          + " with SASL authentication: memcached -S serves only the binary protocol, and key listing needs the"
          + " text protocol's lru_crawler metadump");
    }
  }

  @Override
  public String nodeFor(String key) {
    return locator.nodeNameFor(key);
  }

  @Override
  public List<NodeStatistics> nodeStatistics() {
    List<NodeStatistics> all = new ArrayList<>();
    for (ClusterMember member : membership.members()) {
      String node = member.name();
      NodeMeters.Meter meter = meters.of(node);
      all.add(new NodeStatistics(node, locator.commandsRoutedTo(node), meter.errors.sum(), meter.timeouts.sum(),
          meter.timedCalls.sum(), NodeMeters.latency(meter)));
    }
    return all;
  }

  @Override
  public List<NodeHealth> ping(Duration timeout) {
    List<ClusterMember> members = membership.members();
    if (members.isEmpty()) {
      return List.of();
    }
    ExecutorService pings = Executors.newFixedThreadPool(members.size(), task -> {
      Thread thread = new Thread(task, "memjcache-ping");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<NodeHealth>> answers = new ArrayList<>();
      for (ClusterMember member : members) {
        answers.add(pings.submit(() -> ping(member, timeout)));
      }
      List<NodeHealth> all = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        try {
          all.add(answers.get(i).get());
        } catch (ExecutionException e) {
          all.add(new NodeHealth(members.get(i).name(), false, Duration.ZERO, String.valueOf(e.getCause())));
        }
      }
      return all;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while checking the memcached nodes", e);
    } finally {
      pings.shutdownNow();
    }
  }

  /** One round trip (a stats request) on the client's own connection to {@code member}. */
  private NodeHealth ping(ClusterMember member, Duration timeout) {
    long start = System.nanoTime();
    String failure;
    try {
      Map<String, String> stats = client.stats(member.socketAddress(), Math.max(1, timeout.toMillis()));
      Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
      if (stats != null && !stats.isEmpty()) {
        return new NodeHealth(member.name(), true, roundTrip, null);
      }
      failure = "no answer";
    } catch (TimeoutException e) {
      failure = "no answer within " + timeout.toMillis() + " ms";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } catch (MemcachedException | RuntimeException e) {
      failure = String.valueOf(e.getMessage());
    }
    return new NodeHealth(member.name(), false, Duration.ofNanos(System.nanoTime() - start), failure);
  }

  @Override
  public void close() {
    membership.close();
    try {
      client.shutdown();
    } catch (IOException e) {
      LOG.warn("error while shutting down the memcached client", e);
    }
  }

  /** memcached's exptime for {@code expiresAt}; a stand-in entry's is capped (see {@link OutageTags}). */
  private int exptime(String wireKey, long expiresAt) {
    int exptime = Exptime.of(expiresAt, clock.getAsLong());
    if (OutageTags.isTagged(wireKey) && (exptime == 0 || exptime > OutageTags.STAND_IN_SECONDS)) {
      return OutageTags.STAND_IN_SECONDS;
    }
    return exptime;
  }

  /** Refuses a value the server would reject, before anything is sent or changed. */
  private void checkSize(String key, byte[] data) {
    int limit = itemSizeMax();
    long size = (long) key.length() + data.length + ITEM_OVERHEAD;
    if (size > limit) {
      throw new CacheException(
          "value too large for memcached: the item for key " + key + " needs " + size
              + " bytes (" + data.length + " bytes of value) but the server's item size limit"
              + " (item_size_max) is " + limit + " bytes");
    }
  }

  /** The smallest item_size_max of the cluster, read once. */
  private int itemSizeMax() {
    int limit = itemSizeMax;
    if (limit == 0) {
      limit = readItemSizeMax();
      itemSizeMax = limit;
    }
    return limit;
  }

  private int readItemSizeMax() {
    try {
      Map<InetSocketAddress, Map<String, String>> settings =
          client.getStatsByItem("settings", timeoutMillis);
      int smallest = Integer.MAX_VALUE;
      for (Map<String, String> node : settings.values()) {
        String value = node.get("item_size_max");
        if (value != null) {
          smallest = Math.min(smallest, Integer.parseInt(value.trim()));
        }
      }
      if (smallest != Integer.MAX_VALUE) {
        return smallest;
      }
    } catch (TimeoutException | MemcachedException | RuntimeException e) {
      LOG.debug("could not read item_size_max, assuming memcached's default", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_ITEM_SIZE_MAX;
  }

  private CacheException failure(String operation, String key, Exception cause) {
    String node = nodeFor(key);
    meters.failed(node, cause);
    return failure(operation, node, key, cause);
  }

  private CacheException failure(String operation, Collection<String> keys, Exception cause) {
    TreeSet<String> nodes = new TreeSet<>();
    for (String key : keys) {
      String node = nodeFor(key);
      if (node != null) {
        nodes.add(node);
      }
    }
    nodes.forEach(node -> meters.failed(node, cause));
    return failure(operation, String.join(", ", nodes), keys.size() + " keys", cause);
  }

  private CacheException failure(String operation, String node, String what, Exception cause) {
    if (cause instanceof CacheException ce) {
      return ce;
    }
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new CacheException("interrupted during memcached " + operation + " on node " + node, cause);
    }
    if (cause instanceof TimeoutException) {
      return new CacheException(
          "memcached node " + node + " did not answer " + operation + " within " + timeoutMillis + " ms", cause);
    }
    String message = String.valueOf(cause.getMessage());
    if (message.contains("too big") || message.contains("too large")) {
      return new CacheException(
          "memcached node " + node + " refused a value as too large for its item size limit of "
              + itemSizeMax() + " bytes (" + what + "): " + message, cause);
    }
    return new CacheException("memcached " + operation + " failed on node " + node + ": " + message, cause);
  }
}
