package io.memjcache.management;

import java.lang.management.ManagementFactory;
import java.net.URI;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers a cache's MXBeans in the platform MBeanServer under the names JSR-107 prescribes:
 * {@code javax.cache:type=CacheStatistics|CacheConfiguration,CacheManager=<uri>,Cache=<name>}, and
 * MemJCache's near-cache statistics as {@code io.memjcache:type=NearCacheStatistics,...}.
 */
public final class MBeanRegistrar {

  /** The two kinds of JSR-107 MXBean. */
  public enum Kind {
    CONFIGURATION("javax.cache", "CacheConfiguration"),
    STATISTICS("javax.cache", "CacheStatistics"),
    /** MemJCache's own (so in its own domain): hits and misses of the local near cache. */
    NEAR_CACHE_STATISTICS("io.memjcache", "NearCacheStatistics");

    private final String domain;
    private final String type;

    Kind(String domain, String type) {
      this.domain = domain;
      this.type = type;
    }
  }

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  /** Registers {@code bean}, replacing a stale registration under the same name. */
  public void register(Object bean, Kind kind, URI manager, String cache) {
    ObjectName name = name(kind, manager, cache);
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(bean, name);
    } catch (InstanceAlreadyExistsException | InstanceNotFoundException e) {
      // Another thread raced us to the same name: its bean serves the same cache.
    } catch (javax.management.JMException e) {
      throw new CacheException("cannot register " + name, e);
    }
  }

  public void unregister(Kind kind, URI manager, String cache) {
    ObjectName name = name(kind, manager, cache);
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // Already gone.
    } catch (javax.management.JMException e) {
      throw new CacheException("cannot unregister " + name, e);
    }
  }

  static ObjectName name(Kind kind, URI manager, String cache) {
    String text = kind.domain + ":type=" + kind.type + ",CacheManager=" + sanitize(manager.toString())
        + ",Cache=" + sanitize(cache);
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
