package io.memjcache.discovery;

import io.memjcache.config.ClusterMember;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One answer of a {@link ClusterDiscovery}.
 *
 * @param version increases with every change at the source; {@link #NO_VERSION} for sources
 *     without versions (DNS)
 * @param members the nodes, never empty, no name twice, sorted by name (so two answers naming the
 *     same nodes are equal whatever order the source listed them in)
 */
public record DiscoveredCluster(long version, List<ClusterMember> members) {

  /** The version of an answer from a source that has none. */
  public static final long NO_VERSION = -1;

  public DiscoveredCluster {
    if (version < NO_VERSION) {
      throw new IllegalArgumentException("bad membership version: " + version);
    }
    Objects.requireNonNull(members, "members");
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a membership needs at least one node");
    }
    Set<String> names = new HashSet<>();
    for (ClusterMember member : members) {
      if (!names.add(member.name())) {
        throw new IllegalArgumentException("a membership names node " + member.name() + " twice");
      }
    }
    members = members.stream().sorted(Comparator.comparing(ClusterMember::name)).toList();
  }

  /** Whether this answer carries a version. */
  public boolean versioned() {
    return version != NO_VERSION;
  }
}
