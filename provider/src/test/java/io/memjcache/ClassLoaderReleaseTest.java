package io.memjcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import javax.cache.Caching;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A web app's class loader must be collectable once the app is gone, on real memcached nodes:
 * after it closed its CacheManager, and also when it never closed it (a redeploy without a clean
 * shutdown). The app ({@code io.memjcache.leakapp}) is defined by a throwaway class loader, runs
 * with it as context loader and with an inheritable thread-local, as an app server runs one.
 */
class ClassLoaderReleaseTest {

  @RegisterExtension static final MemcachedCluster CLUSTER = MemcachedCluster.nodes(2);

  /** Defines the classes of {@code io.memjcache.leakapp} itself (child first), like a web app loader. */
  private static final class AppLoader extends ClassLoader {
    AppLoader(ClassLoader parent) {
      super("leakapp", parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.memjcache.leakapp.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded != null) {
          return loaded;
        }
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
          byte[] bytes = in.readAllBytes();
          return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException | NullPointerException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
    }
  }

  /** Runs the app in a loader of its own; returns only a weak reference to that loader. */
  @SuppressWarnings("unchecked")
  private static WeakReference<ClassLoader> runApp(String uri, boolean close) throws Exception {
    AppLoader loader = new AppLoader(ClassLoaderReleaseTest.class.getClassLoader());
    Class<?> app = loader.loadClass("io.memjcache.leakapp.LeakApp");
    assertEquals(loader, app.getClassLoader());
    BiFunction<String, Boolean, String> main = (BiFunction<String, Boolean, String>) app.getConstructor().newInstance();
    assertEquals("read 50", main.apply(uri, close));
    return new WeakReference<>(loader);
  }

  /** Collects garbage until {@code ref} clears, within about 15 s. */
  private static void awaitCollected(WeakReference<?> ref) throws InterruptedException {
    List<byte[]> pressure = new ArrayList<>();
    for (int i = 0; i < 60 && ref.get() != null; i++) {
      System.gc();
      pressure.add(new byte[4 << 20]);
      if (pressure.size() > 8) {
        pressure.clear();
      }
      // The registries of Caching and of the provider drop cleared entries when next used.
      Caching.getCachingProviders(ClassLoaderReleaseTest.class.getClassLoader());
      Thread.sleep(250);
    }
  }

  private static Set<ObjectName> beans(String namespace) throws Exception {
    return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("*:CacheManager=*" + namespace + "*,*"), null);
  }

  private static Set<String> threadsStartedSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  @Test
  void aClosedManagerReleasesItsClassLoader() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    WeakReference<ClassLoader> loader = runApp(ClusterCaches.uri(CLUSTER, namespace).toString(), true);
    awaitCollected(loader);
    assertNull(loader.get(), "the app's class loader is still reachable after its CacheManager closed");
    assertEquals(Set.of(), beans(namespace));
  }

  @Test
  void aManagerNeverClosedReleasesItsClassLoaderThreadsAndBeans() throws Exception {
    String namespace = ClusterCaches.uniqueNamespace();
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    WeakReference<ClassLoader> loader = runApp(ClusterCaches.uri(CLUSTER, namespace).toString(), false);
    assertEquals(4, beans(namespace).size(),
        "statistics, configuration, near-cache and cluster-membership beans while the app runs: " + beans(namespace));
    assertTrue(!threadsStartedSince(before).isEmpty(), "the manager's client runs threads");
    awaitCollected(loader);
    assertNull(loader.get(), "a CacheManager never closed keeps the app's class loader reachable");
    // Unreachable now, the manager is cleaned: its client's threads end and its beans go.
    Set<String> left = threadsStartedSince(before);
    for (int i = 0; i < 60 && !(left.isEmpty() && beans(namespace).isEmpty()); i++) {
      System.gc();
      Caching.getCachingProviders(ClassLoaderReleaseTest.class.getClassLoader());
      Thread.sleep(250);
      left = threadsStartedSince(before);
    }
    assertEquals(Set.of(), left, "threads left behind by a manager never closed");
    assertEquals(Set.of(), beans(namespace));
  }
}
