package io.memjcache.routing;

import java.nio.charset.StandardCharsets;

/**
 * Hashes one node's virtual points, the UTF-8 strings {@code name-0}, {@code name-1} and so on,
 * exactly as {@link ConsistentHashRing#hash(String)} would (MurmurHash3 x86 32-bit, seed 0), but
 * without building each string: the whole 4-byte blocks of {@code name-} are mixed once, and each
 * point mixes only the rest of the prefix and its decimal digits. A ring of 1,000 nodes has 1.6
 * million points, and hashing them through strings was most of what building it cost. Not
 * thread-safe (one buffer); commons-codec's incremental Murmur3 cannot resume from a saved state.
 */
final class PointHasher {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;
  /** Room for up to 3 unmixed prefix bytes and the digits of any int count. */
  private final byte[] tail = new byte[3 + 10];

  private final int prefixLength;
  private final int prefixState;
  private final int prefixRest;

  PointHasher(String name) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = new byte[nameBytes.length + 1];
    System.arraycopy(nameBytes, 0, prefix, 0, nameBytes.length);
    prefix[nameBytes.length] = '-';
    prefixLength = prefix.length;
    int blocksEnd = prefixLength & ~3;
    int state = 0;
    for (int i = 0; i < blocksEnd; i += 4) {
      state = mixBlock(state, littleEndianInt(prefix, i));
    }
    prefixState = state;
    prefixRest = prefixLength - blocksEnd;
    System.arraycopy(prefix, blocksEnd, tail, 0, prefixRest);
  }

  /**
   * Writes the hashes of points 0 to {@code count - 1} into {@code into} from {@code at}, counting
   * up in decimal in place rather than formatting each number.
   */
  void hashPoints(int count, int[] into, int at) {
    int end = prefixRest + 1;
    tail[prefixRest] = '0';
    for (int point = 0; point < count; point++) {
      into[at + point] = hashTail(end);
      int digit = end - 1;
      while (digit >= prefixRest && tail[digit] == '9') {
        tail[digit--] = '0';
      }
      if (digit >= prefixRest) {
        tail[digit]++;
      } else {
        tail[prefixRest] = '1';
        tail[end++] = '0';
      }
    }
  }

  /** Continues the prefix's hash over {@code tail[0, end)} and finishes it. */
  private int hashTail(int end) {
    int state = prefixState;
    int blocksEnd = end & ~3;
    for (int i = 0; i < blocksEnd; i += 4) {
      state = mixBlock(state, littleEndianInt(tail, i));
    }
    if (end > blocksEnd) {
      int k = 0;
      for (int i = end - 1; i >= blocksEnd; i--) {
        k = k << 8 | tail[i] & 0xff;
      }
      state ^= mixK(k);
    }
    return finish(state ^ (prefixLength - prefixRest + end));
  }

  private static int littleEndianInt(byte[] bytes, int at) {
    return (bytes[at] & 0xff)
        | (bytes[at + 1] & 0xff) << 8
        | (bytes[at + 2] & 0xff) << 16
        | (bytes[at + 3] & 0xff) << 24;
  }

  private static int mixK(int k) {
    return Integer.rotateLeft(k * C1, 15) * C2;
  }

  private static int mixBlock(int state, int block) {
    return Integer.rotateLeft(state ^ mixK(block), 13) * 5 + 0xe6546b64;
  }

  private static int finish(int state) {
    int h = state;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
