package io.memjcache.cache;

import io.memjcache.cache.EntryAccess.Claim;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.integration.Loader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.cache.CacheException;
import javax.cache.integration.CacheLoaderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-through loads of missing entries: one load per key at a time across the cluster (single
 * flight), and never a loaded value over a write made while it loaded.
 *
 * <p>In this JVM, concurrent misses of one key share one call: the first caller leads, the others
 * wait for its outcome (a copy of its value, or its failure). Across JVMs, the leader holds the
 * key's {@link Lease}; callers elsewhere that find it wait, re-reading the key with a short
 * back-off, until the value is stored (they return it), the lease is released (one of them leads)
 * or its deadline passes (the owner died or is too slow: one of them replaces the lease and loads).
 * A loader that throws releases the lease at once; its error reaches the caller that led and the
 * callers of this JVM that waited for it, while callers in other JVMs see the lease go and load
 * themselves.
 *
 * <p>With single flight off, every miss loads for itself; the lease still keeps fills from
 * overwriting writes.
 */
public final class LoadCoordinator<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(LoadCoordinator.class);
  private static final long MAX_PAUSE_MILLIS = 20;

  private final CacheContext<K, V> context;
  private final EntryAccess<V> access;
  private final EntryCodec codec;
  private final Loader<K, V> loader;
  private final boolean singleFlight;
  private final long leaseMillis;
  private final LocalFlights loads = new LocalFlights();
  private final LocalFlights invokes = new LocalFlights();

  public LoadCoordinator(CacheContext<K, V> context, Loader<K, V> loader, boolean singleFlight, long leaseMillis) {
    this.context = context;
    this.access = context.access;
    this.codec = context.codec;
    this.loader = loader;
    this.singleFlight = singleFlight;
    this.leaseMillis = leaseMillis;
  }

  public boolean singleFlight() {
    return singleFlight;
  }

  /**
   * The value that answers a miss of {@code key} ({@code missed} is what the read found): loaded
   * by this caller, by another caller of this JVM or another JVM, or written meanwhile; null when
   * the loader has none.
   */
  public V load(K key, EncodedKey encoded, RemoteEntry missed, PendingEvents<K, V> events) {
    if (!singleFlight) {
      return loadAlone(key, encoded, missed, events);
    }
    String flightKey = encoded.memcachedKey();
    LocalFlights.Start start = loads.start(flightKey);
    if (start.others() != null) {
      Object outcome;
      try {
        outcome = LocalFlights.await(start.others(), leaseMillis);
      } catch (LocalFlights.StillRunning slow) {
        outcome = NOT_SHARED; // as slow as a lease: go on like a caller in another JVM would
      } catch (CacheLoaderException e) {
        throw new CacheLoaderException("the load of " + flightKey + " by another caller failed: " + e.getMessage(), e);
      }
      if (outcome != NOT_SHARED) {
        return restore(outcome, flightKey);
      }
      return leadOrWait(key, encoded, access.readLatest(encoded), events, null).value();
    }
    LocalFlights.Flight flight = start.mine();
    try {
      Answer<V> answer = leadOrWait(key, encoded, missed, events, flight::close);
      flight.finish(answer.shareable() ? codec.snapshot(answer.value()) : NOT_SHARED);
      return answer.value();
    } catch (RuntimeException | Error e) {
      flight.fail(e);
      throw e;
    }
  }

  /** Loads for {@code keys} that missed, one loader call for those this caller leads; fills {@code result} if given. */
  public void loadAll(List<K> keys, List<EncodedKey> encoded, List<RemoteEntry> missed, Map<K, V> result, PendingEvents<K, V> events) {
    long owner = newOwner();
    Claim[] claims = claimAll(encoded, missed, owner);
    List<Integer> mine = new ArrayList<>();
    List<Integer> others = new ArrayList<>();
    for (int i = 0; i < claims.length; i++) {
      Claim claim = claims[i];
      if (claim == null) {
        mine.add(i); // memcached failed and readFailureAsMiss: load without storing
      } else if (claim.kind() == Claim.Kind.WRITTEN) {
        V written = context.writtenValue(encoded.get(i), claim.entry());
        if (written != null && result != null) {
          result.put(keys.get(i), written);
        }
      } else if (claim.kind() == Claim.Kind.MINE || (claim.kind() == Claim.Kind.OTHERS && !singleFlight)) {
        mine.add(i);
      } else {
        others.add(i);
      }
    }
    if (!mine.isEmpty()) {
      List<K> toLoad = new ArrayList<>(mine.size());
      mine.forEach(i -> toLoad.add(keys.get(i)));
      Map<K, V> loaded;
      try {
        loaded = loader.loadAll(toLoad);
      } catch (RuntimeException e) {
        mine.forEach(i -> releaseIfMine(encoded.get(i), claims[i]));
        throw e;
      }
      for (int i : mine) {
        V value = loaded.get(keys.get(i));
        if (value == null) {
          releaseIfMine(encoded.get(i), claims[i]);
        } else {
          if (claims[i] != null) {
            context.fill(keys.get(i), encoded.get(i), value, claims[i].entry(), events);
          }
          if (result != null) {
            result.put(keys.get(i), value);
          }
        }
      }
    }
    // Keys another caller is loading: wait for each (or take over), as a get would.
    for (int i : others) {
      V value = load(keys.get(i), encoded.get(i), claims[i].entry(), events);
      if (value != null && result != null) {
        result.put(keys.get(i), value);
      }
    }
  }

  /**
   * Before an entry processor runs on an absent entry: leads the key (returns the lease the
   * processor's write or fill must replace) or, when another invocation or load holds it, waits
   * for it to end and returns null: the caller then reads the entry again and runs the processor on
   * what was stored. {@link InvokeLease#end} must follow a non-null lease.
   */
  public InvokeLease beginInvoke(EncodedKey encoded, RemoteEntry seen) {
    String flightKey = encoded.memcachedKey();
    LocalFlights.Start start = invokes.start(flightKey);
    if (start.others() != null) {
      try {
        LocalFlights.await(start.others(), leaseMillis);
      } catch (LocalFlights.StillRunning | RuntimeException ignored) {
        // Its outcome does not matter here: the caller reads the entry again either way.
      }
      return null;
    }
    try {
      long owner = newOwner();
      long giveUpAt = access.now() + 2 * leaseMillis;
      long pause = 1;
      RemoteEntry current = seen;
      while (true) {
        Claim claim = access.claim(encoded, current, owner, access.now(), leaseMillis);
        switch (claim.kind()) {
          case MINE -> {
            return new InvokeLease(claim.entry(), start.mine());
          }
          case WRITTEN -> {
            start.mine().finish(null);
            return null;
          }
          case OTHERS -> {
            pause = pause(pause, encoded, giveUpAt);
            current = access.readLatest(encoded);
            if (!current.isLeaseHeldAt(access.now(), leaseMillis)) {
              // The other invocation or load ended (stored, removed or released): run on what is there.
              start.mine().finish(null);
              return null;
            }
          }
          case RETRY -> {
            check(giveUpAt, encoded);
            current = claim.entry();
          }
        }
      }
    } catch (RuntimeException | Error e) {
      start.mine().fail(e);
      throw e;
    }
  }

  /** A lease an entry processor runs under; {@link #end} lets this JVM's waiting invocations go. */
  public record InvokeLease(RemoteEntry lease, LocalFlights.Flight flight) {
    public void end() {
      flight.finish(null);
    }
  }

  /**
   * Single flight off: the lease a processor's read-through load replaces (a live entry if a
   * writer got in first, which makes the caller run the processor again), or null to store nothing.
   */
  public RemoteEntry claimForLoad(EncodedKey encoded, RemoteEntry read) {
    long owner = newOwner();
    RemoteEntry seen = read;
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      Claim claim = claim(encoded, seen, owner);
      if (claim == null) {
        return null;
      }
      if (claim.kind() != Claim.Kind.RETRY) {
        return claim.entry();
      }
      seen = claim.entry();
    }
    return null;
  }

  /**
   * What a load answered, and whether the callers of this JVM that joined it may take it: only a
   * value (or null) loaded under a lease that was still intact when it was stored (or released).
   * Any write of the key after the lease breaks it, and the lease was placed before the loader
   * ran, so such a value is at least as new as every write that had returned when those callers
   * asked. Anything else (a value written meanwhile, a fill that was dropped) they read for
   * themselves.
   */
  private record Answer<V>(V value, boolean shareable) {}

  private static final Object NOT_SHARED = new Object();

  /**
   * Leads the load of {@code key} or waits for the caller that does. {@code beforeStore} (if not
   * null) runs after the loader returned and before the value is stored: it closes this JVM's
   * flight, so that no caller joins it after its value could have been overtaken.
   */
  private Answer<V> leadOrWait(K key, EncodedKey encoded, RemoteEntry missed, PendingEvents<K, V> events, Runnable beforeStore) {
    long owner = newOwner();
    long giveUpAt = access.now() + 2 * leaseMillis;
    long pause = 1;
    RemoteEntry seen = missed;
    while (true) {
      Claim claim = claim(encoded, seen, owner);
      if (claim == null) {
        return loadAndFill(key, encoded, null, events, beforeStore);
      }
      switch (claim.kind()) {
        case MINE -> {
          return loadAndFill(key, encoded, claim, events, beforeStore);
        }
        case WRITTEN -> {
          V written = context.writtenValue(encoded, claim.entry());
          return written != null ? new Answer<>(written, false) : loadAndFill(key, encoded, null, events, beforeStore);
        }
        case OTHERS -> {
          pause = pause(pause, encoded, giveUpAt);
          seen = access.readLatest(encoded);
        }
        case RETRY -> {
          check(giveUpAt, encoded);
          seen = claim.entry();
        }
      }
    }
  }

  /** Single flight off: a lease only to keep the fill from overwriting a write. */
  private V loadAlone(K key, EncodedKey encoded, RemoteEntry missed, PendingEvents<K, V> events) {
    long owner = newOwner();
    RemoteEntry seen = missed;
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      Claim claim = claim(encoded, seen, owner);
      if (claim == null) {
        break;
      }
      switch (claim.kind()) {
        case MINE, OTHERS -> {
          return loadAndFill(key, encoded, claim, events, null).value();
        }
        case WRITTEN -> {
          V written = context.writtenValue(encoded, claim.entry());
          return written != null ? written : loadAndFill(key, encoded, null, events, null).value();
        }
        case RETRY -> seen = claim.entry();
      }
    }
    return loadAndFill(key, encoded, null, events, null).value();
  }

  /**
   * Loads {@code key} and stores the value in place of the claim's entry (no claim: store nothing).
   * Only a lease of this caller's ({@link Claim.Kind#MINE}) is released when there is nothing to store.
   */
  private Answer<V> loadAndFill(K key, EncodedKey encoded, Claim claim, PendingEvents<K, V> events, Runnable beforeStore) {
    V loaded;
    try {
      loaded = loader.load(key);
    } catch (RuntimeException e) {
      releaseIfMine(encoded, claim);
      throw e;
    }
    if (beforeStore != null) {
      beforeStore.run();
    }
    boolean intact = loaded == null
        ? releaseIfMine(encoded, claim)
        : claim != null && context.fill(key, encoded, loaded, claim.entry(), events);
    return new Answer<>(loaded, intact);
  }

  /** {@link EntryAccess#claim}; null when memcached fails and readFailureAsMiss says to load without storing. */
  private Claim claim(EncodedKey encoded, RemoteEntry seen, long owner) {
    try {
      return access.claim(encoded, seen, owner, access.now(), leaseMillis);
    } catch (CacheException e) {
      if (!access.readFailureAsMiss()) {
        throw e;
      }
      LOG.warn("cache {}: could not prepare storing the loaded value of {}: {}", context.source().getName(),
          encoded.memcachedKey(), e.getMessage());
      return null;
    }
  }

  private Claim[] claimAll(List<EncodedKey> encoded, List<RemoteEntry> missed, long owner) {
    try {
      return access.claimAll(encoded, missed, owner, access.now(), leaseMillis);
    } catch (CacheException e) {
      if (!access.readFailureAsMiss()) {
        throw e;
      }
      LOG.warn("cache {}: could not prepare storing {} loaded values: {}", context.source().getName(),
          encoded.size(), e.getMessage());
      return new Claim[encoded.size()];
    }
  }

  /** Deletes the caller's own lease (never another's); true if it was still there. */
  private boolean releaseIfMine(EncodedKey encoded, Claim claim) {
    return claim != null && claim.kind() == Claim.Kind.MINE && access.releaseLease(encoded, claim.entry());
  }

  @SuppressWarnings("unchecked")
  private V restore(Object snapshot, String memcachedKey) {
    return (V) codec.restore(snapshot, memcachedKey);
  }

  /** Sleeps a back-off step (1, 2, 4 ... 20 ms) before the next look at another's lease; the next step. */
  private long pause(long pause, EncodedKey encoded, long giveUpAt) {
    check(giveUpAt, encoded);
    try {
      Thread.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while waiting for another caller's load of " + encoded.memcachedKey(), e);
    }
    return Math.min(pause * 2, MAX_PAUSE_MILLIS);
  }

  private void check(long giveUpAt, EncodedKey encoded) {
    if (access.now() > giveUpAt) {
      throw new CacheException("gave up waiting for the load of " + encoded.memcachedKey() + " by another caller after "
          + 2 * leaseMillis + " ms (twice memjcache.cache.<name>.loadLease)");
    }
  }

  private static long newOwner() {
    long owner = ThreadLocalRandom.current().nextLong();
    return owner == 0 ? 1 : owner;
  }
}
