package io.memjcache.routing;

import java.nio.charset.StandardCharsets;

/**
 * Hashes one node's virtual points, the UTF-8 strings {@code name-0}, {@code name-1} and so on,
 * exactly as {@link ConsistentHashRing#hash(String)} would (MurmurHash3 x86 32-bit, seed 0), but
 * without building each string: the whole 4-byte blocks of {@code name-} are mixed once, and each
 * point mixes only the rest of the prefix and its decimal digits. A ring of 1,000 nodes has 1.6
 * million points, so this is most of what building it costs. Not thread-safe (one buffer).
 */
final class PointHasher {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;
  /** Room for up to 3 unmixed prefix bytes and the digits of any int. */
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

  /** The hash of {@code name-point}, for a point from 0. */
  int hash(int point) {
    int end = prefixRest + digits(point);
    for (int i = end - 1, rest = point; i >= prefixRest; i--, rest /= 10) {
      tail[i] = (byte) ('0' + rest % 10);
    }
    int state = prefixState;
    int blocksEnd = end & ~3;
    for (int i = 0; i < blocksEnd; i += 4) {
      state = mixBlock(state, littleEndianInt(tail, i));
    }
    int k = 0;
    switch (end & 3) {
      case 3:
        k ^= (tail[blocksEnd + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (tail[blocksEnd + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= tail[blocksEnd] & 0xff;
        state ^= mixK(k);
        break;
      default:
        break;
    }
    return finish(state ^ (prefixLength - prefixRest + end));
  }

  private static int digits(int point) {
    int digits = 1;
    for (int rest = point; rest >= 10; rest /= 10) {
      digits++;
    }
    return digits;
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
