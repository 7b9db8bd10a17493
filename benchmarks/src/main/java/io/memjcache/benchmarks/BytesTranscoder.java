package io.memjcache.benchmarks;

import net.rubyeye.xmemcached.transcoders.CachedData;

/** Raw bytes in and out of xmemcached, flags 0: what a user storing byte[] values gets. */
final class BytesTranscoder extends NoOptionsTranscoder<byte[]> {

  static final BytesTranscoder INSTANCE = new BytesTranscoder();

  @Override
  public CachedData encode(byte[] bytes) {
    return new CachedData(0, bytes, Integer.MAX_VALUE, -1);
  }

  @Override
  public byte[] decode(CachedData data) {
    return data.getData();
  }
}
