package io.memjcache.management;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers one CacheManager's MXBeans in the platform MBeanServer under the names JSR-107
 * prescribes: {@code javax.cache:type=CacheStatistics|CacheConfiguration,CacheManager=<uri>,
 * Cache=<name>}, and MemJCache's near-cache statistics as {@code
 * io.memjcache:type=NearCacheStatistics,...}.
 *
 * <p>Another CacheManager of the same URI in another class loader (two web apps on the default
 * URI) may hold a standard name already: this manager's bean then gets {@code
 * CacheManager=<uri>@<class loader id>} instead, and neither manager ever replaces or unregisters
 * a bean it did not register. It holds no reference to its manager, so the cleanup of a manager
 * never closed can call {@link #unregisterAll()}.
 */
public final class MBeanRegistrar {

  /** The kinds of MXBean: the two of JSR-107 and MemJCache's near-cache statistics. */
  public enum Kind {
    CONFIGURATION("javax.cache", "CacheConfiguration"),
    STATISTICS("javax.cache", "CacheStatistics"),
    /** MemJCache's own (so in its own domain): hits and misses of the local near cache. */
    NEAR_CACHE_STATISTICS("io.memjcache", "NearCacheStatistics"),
    /** One per manager (registered with a null cache): the memcached nodes it routes to. */
    CLUSTER_MEMBERSHIP("io.memjcache", "ClusterMembership");

    private final String domain;
    private final String type;

    Kind(String domain, String type) {
      this.domain = domain;
      this.type = type;
    }
  }

  private record Registration(Kind kind, String cache) {}

  /** Enough distinct names for any number of managers of one URI in one JVM. */
  private static final int MAX_ALTERNATIVES = 1000;

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final String managerName;
  private final String alternativeName;
  private final Map<Registration, ObjectName> registered = new HashMap<>();

  /**
   * @param manager the CacheManager's URI
   * @param loaderId what tells this manager's class loader apart, used only when a standard name
   *     is taken (see {@link #loaderId(ClassLoader)})
   */
  public MBeanRegistrar(URI manager, String loaderId) {
    this.managerName = sanitize(manager.toString());
    this.alternativeName = sanitize(manager + "@" + loaderId);
  }

  /** The name of {@code loader} if it has one, with its identity hash: {@code app@1b6d3586}. */
  public static String loaderId(ClassLoader loader) {
    if (loader == null) {
      return "bootstrap";
    }
    String name = loader.getName();
    return (name == null ? "" : name + "-") + Integer.toHexString(System.identityHashCode(loader));
  }

  /**
   * Registers {@code bean} for {@code cache}, replacing this manager's earlier bean of that kind.
   * Returns the name used.
   */
  public synchronized ObjectName register(Object bean, Kind kind, String cache) {
    unregister(kind, cache);
    for (int attempt = 0; attempt <= MAX_ALTERNATIVES; attempt++) {
      String manager = attempt == 0 ? managerName : attempt == 1 ? alternativeName : alternativeName + "-" + attempt;
      ObjectName name = name(kind, manager, cache);
      try {
        server.registerMBean(bean, name);
        registered.put(new Registration(kind, cache), name);
        return name;
      } catch (InstanceAlreadyExistsException taken) {
        // Another manager of the same URI (another class loader) holds it: try the next name.
      } catch (JMException e) {
        throw new CacheException("cannot register " + name, e);
      }
    }
    throw new CacheException("cannot register an MXBean for cache " + cache + ": every name is taken");
  }

  /** Unregisters this manager's bean of {@code kind} for {@code cache}, if it registered one. */
  public synchronized void unregister(Kind kind, String cache) {
    ObjectName name = registered.remove(new Registration(kind, cache));
    if (name == null) {
      return;
    }
    try {
      server.unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      // Already gone (someone unregistered it through JMX).
    } catch (JMException e) {
      throw new CacheException("cannot unregister " + name, e);
    }
  }

  /** Unregisters every bean this manager registered. */
  public synchronized void unregisterAll() {
    for (Registration registration : List.copyOf(registered.keySet())) {
      unregister(registration.kind(), registration.cache());
    }
  }

  static ObjectName name(Kind kind, String manager, String cache) {
    String text = kind.domain + ":type=" + kind.type + ",CacheManager=" + manager
        + (cache == null ? "" : ",Cache=" + sanitize(cache));
    try {
      return new ObjectName(text);
    } catch (MalformedObjectNameException e) {
      throw new CacheException("bad MXBean name " + text, e);
    }
  }

  /** JSR-107: the characters an ObjectName value cannot hold become dots. */
  private static String sanitize(String value) {
    return value.replaceAll("[,:=\n*?\"]", ".");
  }
}
