package io.memjcache.cache;

import io.memjcache.cache.EntryAccess.WriteOutcome;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.event.EventDispatcher;
import io.memjcache.integration.Loader;
import io.memjcache.integration.Writer;
import io.memjcache.stats.CacheStatistics;
import io.memjcache.store.StoreEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javax.cache.CacheException;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * Entry processors, atomic per key across JVMs: read the entry with its CAS token, run the
 * processor on a {@link ProcessorEntry}, write back its net effect with compare-and-swap, and run it
 * again on a fresh read when another writer got there first.
 */
public final class EntryProcessing<K, V> {

  private final CacheContext<K, V> context;
  private final EntryAccess<V> access;
  private final EntryCodec codec;
  private final CacheStatistics statistics;
  private final EventDispatcher<K, V> dispatcher;
  private final Loader<K, V> loader;
  private final Writer<K, V> writer;

  public EntryProcessing(CacheContext<K, V> context) {
    this.context = context;
    this.access = context.access;
    this.codec = context.codec;
    this.statistics = context.statistics;
    this.dispatcher = context.dispatcher;
    this.loader = context.loader;
    this.writer = context.writer;
  }

  public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(processor, "processor");
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = context.events();
    int conflicts = 0;
    int waits = 0;
    while (conflicts < access.maxRetries() && waits < access.maxRetries()) {
      long now = access.now();
      RemoteEntry read = access.readLatest(encoded);
      V value = access.writableValue(encoded.memcachedKey(), read, now);
      LoadCoordinator.InvokeLease lease = null;
      if (value == null && context.loads.singleFlight()) {
        // An absent entry: one invocation per key across the cluster may load or create it (what
        // Spring's @Cacheable(sync = true) relies on); the others wait for it, then run on its result.
        lease = context.loads.beginInvoke(encoded, read);
        if (lease == null) {
          waits++;
          continue;
        }
      }
      try {
        Outcome<T> outcome = runOnce(key, encoded, processor, arguments, read, value, lease, now, events);
        if (outcome != null) {
          return outcome.result();
        }
        conflicts++;
      } finally {
        if (lease != null) {
          lease.end();
        }
      }
    }
    throw access.contention(encoded);
  }

  private record Outcome<T>(T result) {}

  /** One run of the processor and the write of its effect; null on a conflict (run again). */
  private <T> Outcome<T> runOnce(
      K key, EncodedKey encoded, EntryProcessor<K, V, T> processor, Object[] arguments, RemoteEntry read, V value,
      LoadCoordinator.InvokeLease lease, long now, PendingEvents<K, V> events) {
    // Under a lease, a read-through load replaces it; without single flight, a load leases lazily.
    RemoteEntry[] leased = {lease == null ? null : lease.lease()};
    Function<K, V> load = !loader.isReadThrough() ? null
        : lease != null ? loader::load
        : k -> {
          leased[0] = context.loads.claimForLoad(encoded, read);
          return loader.load(k);
        };
    ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, value, load);
    T result;
    try {
      result = processor.process(entry, arguments);
    } catch (Exception e) {
      if (leased[0] != null) {
        access.releaseLease(encoded, leased[0]);
      }
      throw e instanceof EntryProcessorException epe ? epe : new EntryProcessorException(e);
    }
    RemoteEntry current = read;
    if (lease != null || entry.loadedOnMiss()) {
      current = leased[0];
      if (current == null || current.isLive(access.now())) {
        return null; // a remove or a write got in while the loader ran: run the processor again
      }
    }
    if (!applyProcessed(key, encoded, current, value, entry, now, events)) {
      return null;
    }
    if (value == null) {
      context.reportExpired(key, encoded, read, now, events);
    }
    dispatcher.dispatch(events.list());
    return new Outcome<>(result);
  }

  /** Writes what the processor did; false on a CAS conflict (the caller re-runs it). */
  private boolean applyProcessed(
      K key, EncodedKey encoded, RemoteEntry current, V before, ProcessorEntry<K, V> entry, long now,
      PendingEvents<K, V> events) {
    String memcachedKey = encoded.memcachedKey();
    switch (entry.outcome()) {
      case NONE, READ -> {
        if (entry.outcome() == ProcessorEntry.Outcome.READ && before != null) {
          access.touch(encoded, current, now);
        }
        if (before == null) {
          access.releaseLease(encoded, current);
        }
        context.countRead(before != null);
        return true;
      }
      case LOADED -> {
        context.countRead(false);
        context.fill(key, encoded, entry.newValue(), current, events);
        return true;
      }
      case REMOVED -> {
        context.countRead(before != null);
        writer.delete(key);
        if (before == null) {
          access.releaseLease(encoded, current);
          return true;
        }
        if (!access.delete(encoded, current)) {
          return false;
        }
        events.removed(key, before);
        statistics.removals(1);
        return true;
      }
      case SET -> {
        V value = entry.newValue();
        writer.write(key, value);
        WriteOutcome outcome = access.tryWrite(encoded, current, before != null, codec.serializeValue(value), now);
        if (outcome == WriteOutcome.CONFLICT) {
          return false;
        }
        context.countRead(before != null);
        context.record(outcome, key, value, before, events);
        if (outcome != WriteOutcome.NOT_STORED) {
          statistics.puts(1);
        }
        return true;
      }
      default -> throw new IllegalStateException("unknown outcome " + entry.outcome());
    }
  }

  public <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object... arguments) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(processor, "processor");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
    }
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    List<K> oneByOne = loader.isReadThrough() || keys.size() < 2
        ? new ArrayList<>(keys)
        : invokePresent(keys, processor, arguments, results);
    for (K key : oneByOne) {
      try {
        T result = invoke(key, processor, arguments);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (EntryProcessorException e) {
        results.put(key, failed(e));
      } catch (CacheException | IllegalArgumentException e) {
        results.put(key, failed(new EntryProcessorException(e)));
      }
    }
    return results;
  }

  /**
   * Runs the processor on the keys that hold a live entry with one batched read and one pipelined
   * batch of compare-and-swap writes per node; returns the keys left to {@link #invoke} one by one:
   * those without a live entry (a load or a creation, under single flight), and those another
   * client changed between the read and the write (the processor runs again for them, as it would
   * after any conflict).
   */
  private <T> List<K> invokePresent(
      Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object[] arguments, Map<K, EntryProcessorResult<T>> results) {
    Map<K, EncodedKey> encoded = context.encodeAll(keys);
    Map<String, StoreEntry> found = access.readAll(context.memcachedKeys(encoded.values()));
    long now = access.now();
    PendingEvents<K, V> events = context.events();
    List<K> oneByOne = new ArrayList<>();
    List<EntryAccess.Update> updates = new ArrayList<>();
    Map<EncodedKey, Applied<K, V, T>> pending = new HashMap<>();
    for (Map.Entry<K, EncodedKey> e : encoded.entrySet()) {
      K key = e.getKey();
      EncodedKey ek = e.getValue();
      RemoteEntry read = codec.decode(ek, found.get(ek.memcachedKey()));
      V before = access.writableValue(ek.memcachedKey(), read, now);
      if (before == null) {
        oneByOne.add(key);
        continue;
      }
      ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, before, null);
      T result;
      byte[] bytes = null;
      try {
        result = processor.process(entry, arguments);
        switch (entry.outcome()) {
          case NONE, READ -> {
            if (entry.outcome() == ProcessorEntry.Outcome.READ) {
              access.touch(ek, read, now);
            }
            context.countRead(true);
            if (result != null) {
              results.put(key, () -> result);
            }
            continue;
          }
          case REMOVED -> {
            context.countRead(true); // as one by one: the read counts even if the writer fails
            writer.delete(key);
          }
          case SET -> {
            writer.write(key, entry.newValue());
            bytes = codec.serializeValue(entry.newValue());
          }
          default -> {
            oneByOne.add(key); // not expected with a live entry: the one-by-one path knows every case
            continue;
          }
        }
      } catch (EntryProcessorException ex) {
        results.put(key, failed(ex));
        continue;
      } catch (Exception ex) {
        results.put(key, failed(new EntryProcessorException(ex)));
        continue;
      }
      updates.add(new EntryAccess.Update(ek, read, bytes));
      pending.put(ek, new Applied<>(key, before, entry, result));
    }
    Map<EncodedKey, Object> outcomes = updates.isEmpty() ? Map.of() : access.updateAll(updates, now);
    outcomes.forEach((ek, outcome) -> {
      Applied<K, V, T> applied = pending.get(ek);
      K key = applied.key();
      if (outcome instanceof CacheException failure) {
        results.put(key, failed(new EntryProcessorException(failure)));
        return;
      }
      if (outcome == WriteOutcome.CONFLICT) {
        oneByOne.add(key);
        return;
      }
      if (applied.entry().outcome() == ProcessorEntry.Outcome.REMOVED) {
        events.removed(key, applied.before());
        statistics.removals(1);
      } else {
        context.countRead(true);
        context.record((WriteOutcome) outcome, key, applied.entry().newValue(), applied.before(), events);
        if (outcome != WriteOutcome.NOT_STORED) {
          statistics.puts(1);
        }
      }
      if (applied.result() != null) {
        T result = applied.result();
        results.put(key, () -> result);
      }
    });
    dispatcher.dispatch(events.list());
    return oneByOne;
  }

  /** A processor's run on a live entry, awaiting its batched write. */
  private record Applied<K, V, T>(K key, V before, ProcessorEntry<K, V> entry, T result) {}

  private static <T> EntryProcessorResult<T> failed(EntryProcessorException e) {
    return () -> {
      throw e;
    };
  }
}
