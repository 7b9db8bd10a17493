package io.memjcache.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

/**
 * The ring routes every key as the plain statement of its algorithm does, kept here on purpose
 * slow and obvious: point {@code v} of a node is the MurmurHash3 x86 32-bit hash of the UTF-8
 * string {@code name-v}, a point shared by several nodes belongs to the smallest name, and a key
 * belongs to the first point at or after its hash, wrapping around. The ring's build is optimised
 * (no strings per point, a radix sort); this is what keeps it from changing any route.
 */
class RingMatchesReferenceTest {

  private static final int RINGS = 20;
  private static final int KEYS_PER_RING = 10_000;

  @Test
  void randomRingsRouteRandomKeysAsTheReference() {
    Random random = new Random(20261202L);
    for (int r = 0; r < RINGS; r++) {
      Map<String, Integer> weights = new LinkedHashMap<>();
      int nodeCount = 1 + random.nextInt(r < RINGS / 2 ? 8 : 60);
      while (weights.size() < nodeCount) {
        weights.put(randomName(random), 1 + random.nextInt(r == 0 ? 100 : 4));
      }
      ConsistentHashRing<String> ring = ConsistentHashRing.build(weights, Function.identity());
      TreeMap<Integer, String> reference = reference(weights);
      for (int k = 0; k < KEYS_PER_RING; k++) {
        byte[] key = new byte[random.nextInt(40)];
        random.nextBytes(key);
        int hash = MurmurHash3.hash32x86(key);
        Map.Entry<Integer, String> at = reference.ceilingEntry(hash);
        String expected = (at == null ? reference.firstEntry() : at).getValue();
        assertEquals(expected, ring.nodeFor(key), () -> "ring of " + weights);
      }
      // Keys right on, just before and just after points, and at the ends of the hash range.
      List<Integer> edges = new ArrayList<>(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0));
      for (int point : reference.keySet()) {
        if (random.nextInt(50) == 0) {
          edges.addAll(List.of(point - 1, point, point + 1));
        }
      }
      for (int hash : edges) {
        Map.Entry<Integer, String> at = reference.ceilingEntry(hash);
        String expected = (at == null ? reference.firstEntry() : at).getValue();
        assertEquals(expected, ring.nodeForHash(hash), () -> "hash " + hash + " on " + weights);
      }
    }
  }

  @Test
  void pointsHashedInSequenceMatchMurmurOfEachNamedPoint() {
    Random random = new Random(8);
    for (int n = 0; n < 200; n++) {
      String name = randomName(random);
      // Every name length modulo 4 and digit count comes up; a few reach the heaviest node.
      int count = n < 3 ? ConsistentHashRing.MAX_WEIGHT * ConsistentHashRing.POINTS_PER_WEIGHT
          : 1 + random.nextInt(ConsistentHashRing.POINTS_PER_WEIGHT * 2);
      int[] hashes = new int[count + 2];
      new PointHasher(name).hashPoints(count, hashes, 1);
      assertEquals(0, hashes[0]);
      assertEquals(0, hashes[count + 1]);
      for (int v = 0; v < count; v++) {
        byte[] expected = (name + "-" + v).getBytes(StandardCharsets.UTF_8);
        assertEquals(MurmurHash3.hash32x86(expected), hashes[1 + v], name + "-" + v);
      }
    }
  }

  /** The ring as a sorted map from point hash to owner: the smallest name wins a shared point. */
  private static TreeMap<Integer, String> reference(Map<String, Integer> weights) {
    TreeMap<Integer, String> points = new TreeMap<>();
    weights.forEach((name, weight) -> {
      for (int v = 0; v < weight * ConsistentHashRing.POINTS_PER_WEIGHT; v++) {
        int hash = MurmurHash3.hash32x86((name + "-" + v).getBytes(StandardCharsets.UTF_8));
        points.merge(hash, name, (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    });
    return points;
  }

  /** Host names and addresses of every length class, some with non-ASCII characters. */
  private static String randomName(Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256)
            + ":" + (1024 + random.nextInt(60_000));
      case 1:
        return "cache" + random.nextInt(1000) + ":11211";
      case 2:
        return "[fd00::" + Integer.toHexString(random.nextInt(65_536)) + "]:11211";
      default:
        StringBuilder name = new StringBuilder();
        int length = 1 + random.nextInt(30);
        for (int i = 0; i < length; i++) {
          name.append(random.nextInt(8) == 0 ? (char) (0xe0 + random.nextInt(0x2000))
              : (char) ('a' + random.nextInt(26)));
        }
        return name + ".example:11211";
    }
  }
}
