package io.memjcache.benchmarks;

import java.nio.charset.StandardCharsets;
import net.rubyeye.xmemcached.transcoders.CachedData;

/**
 * Strings in and out of xmemcached as UTF-8, flags 0: what a raw xmemcached user storing the
 * benchmark's String values pays for them (the encode on a write, the decode and the String's
 * copy on a read), the same work MemJCache's serializer does for a String.
 */
final class StringTranscoder extends NoOptionsTranscoder<String> {

  static final StringTranscoder INSTANCE = new StringTranscoder();

  @Override
  public CachedData encode(String value) {
    return new CachedData(0, value.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE, -1);
  }

  @Override
  public String decode(CachedData data) {
    return new String(data.getData(), StandardCharsets.UTF_8);
  }
}
