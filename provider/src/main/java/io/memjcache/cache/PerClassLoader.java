package io.memjcache.cache;

import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * One value per class loader, held so that only the class loader keeps it alive: a value may refer
 * to its own class loader (a CacheManager holds caches of the application's classes) and the
 * loader is still collected once the application is gone. A plain {@code WeakHashMap} cannot do
 * this: its values are strong, so a value reaching its key keeps the entry forever.
 *
 * <p>The value hangs off a class defined by the loader itself, a {@link Proxy} class, through a
 * {@link ClassValue}; the loader keeps its classes, and the class keeps its class values. Not
 * thread-safe: the provider calls it under its lock.
 */
public final class PerClassLoader<T> {

  /** Per loader, the class that anchors the value (weakly: the loader itself keeps it). */
  private final Map<ClassLoader, WeakReference<Class<?>>> anchors = new WeakHashMap<>();
  /** Loaders no proxy class can be defined in (none in practice): held strongly. */
  private final Map<ClassLoader, T> pinned = new HashMap<>();
  private final ClassValue<T> values;
  private final Supplier<T> initial;

  public PerClassLoader(Supplier<T> initial) {
    this.initial = initial;
    this.values = new ClassValue<>() {
      @Override
      protected T computeValue(Class<?> anchor) {
        return initial.get();
      }
    };
  }

  /** The value of {@code loader}, created on first use. */
  public T get(ClassLoader loader) {
    Class<?> anchor = anchor(loader);
    if (anchor == null) {
      anchor = newAnchor(loader);
      if (anchor == null) {
        return pinned.computeIfAbsent(loader, l -> initial.get());
      }
      anchors.put(loader, new WeakReference<>(anchor));
    }
    return values.get(anchor);
  }

  /** The value of {@code loader}, or null if it has none. */
  public T peek(ClassLoader loader) {
    Class<?> anchor = anchor(loader);
    return anchor != null ? values.get(anchor) : pinned.get(loader);
  }

  /** Every live loader's value. */
  public List<T> all() {
    List<T> all = new ArrayList<>(pinned.values());
    for (WeakReference<Class<?>> reference : List.copyOf(anchors.values())) {
      Class<?> anchor = reference.get();
      if (anchor != null) {
        all.add(values.get(anchor));
      }
    }
    return all;
  }

  private Class<?> anchor(ClassLoader loader) {
    WeakReference<Class<?>> reference = anchors.get(loader);
    return reference == null ? null : reference.get();
  }

  private static Class<?> newAnchor(ClassLoader loader) {
    try {
      // A proxy class of a JDK interface is defined by (and lives as long as) the given loader.
      Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {Runnable.class}, (p, method, args) -> null);
      return proxy.getClass().getClassLoader() == loader ? proxy.getClass() : null;
    } catch (IllegalArgumentException | SecurityException e) {
      return null;
    }
  }
}
