package io.memjcache;

import io.memjcache.EntryAccess.WriteOutcome;
import io.memjcache.codec.KeyCodec.EncodedKey;
import io.memjcache.event.EventDispatcher;
import io.memjcache.integration.Loader;
import io.memjcache.integration.Writer;
import io.memjcache.stats.CacheStatistics;
import java.util.HashMap;
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
final class EntryProcessing<K, V> {

  private final CacheContext<K, V> context;
  private final EntryAccess<V> access;
  private final EntryCodec codec;
  private final CacheStatistics statistics;
  private final EventDispatcher<K, V> dispatcher;
  private final Loader<K, V> loader;
  private final Writer<K, V> writer;

  EntryProcessing(CacheContext<K, V> context) {
    this.context = context;
    this.access = context.access;
    this.codec = context.codec;
    this.statistics = context.statistics;
    this.dispatcher = context.dispatcher;
    this.loader = context.loader;
    this.writer = context.writer;
  }

  <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(processor, "processor");
    EncodedKey encoded = codec.encodeKey(key);
    PendingEvents<K, V> events = context.events();
    for (int attempt = 0; attempt < access.maxRetries(); attempt++) {
      long now = access.now();
      RemoteEntry read = access.readLatest(encoded);
      V value = access.writableValue(encoded.memcachedKey(), read, now);
      // A read-through load first leases the key; what the processor writes then replaces the lease.
      RemoteEntry[] leased = new RemoteEntry[1];
      Function<K, V> load = !loader.isReadThrough() ? null : k -> {
        leased[0] = context.leaseForFill(encoded, read);
        return loader.load(k);
      };
      ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, value, load);
      T result;
      try {
        result = processor.process(entry, arguments);
      } catch (Exception e) {
        throw e instanceof EntryProcessorException epe ? epe : new EntryProcessorException(e);
      }
      RemoteEntry current = read;
      if (entry.loadedOnMiss()) {
        current = leased[0];
        if (current == null || current.isLive(access.now())) {
          continue; // a remove or a write got in while the loader ran: run the processor again
        }
      }
      if (applyProcessed(key, encoded, current, value, entry, now, events)) {
        if (value == null) {
          context.reportExpired(key, encoded, current, now, events);
        }
        dispatcher.dispatch(events.list());
        return result;
      }
    }
    throw access.contention(encoded);
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

  <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> processor, Object... arguments) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(processor, "processor");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys is null");
    }
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T result = invoke(key, processor, arguments);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (EntryProcessorException e) {
        results.put(key, () -> { throw e; });
      } catch (CacheException | IllegalArgumentException e) {
        EntryProcessorException wrapped = new EntryProcessorException(e);
        results.put(key, () -> { throw wrapped; });
      }
    }
    return results;
  }
}
