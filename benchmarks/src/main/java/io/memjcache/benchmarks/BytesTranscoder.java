package io.memjcache.benchmarks;

import net.rubyeye.xmemcached.transcoders.CachedData;
import net.rubyeye.xmemcached.transcoders.CompressionMode;
import net.rubyeye.xmemcached.transcoders.Transcoder;

/** Raw bytes in and out of xmemcached, flags 0: what a user storing byte[] values gets. */
final class BytesTranscoder implements Transcoder<byte[]> {

  static final BytesTranscoder INSTANCE = new BytesTranscoder();

  @Override
  public CachedData encode(byte[] bytes) {
    return new CachedData(0, bytes, Integer.MAX_VALUE, -1);
  }

  @Override
  public byte[] decode(CachedData data) {
    return data.getData();
  }

  @Override
  public void setPrimitiveAsString(boolean primitiveAsString) {}

  @Override
  public void setPackZeros(boolean packZeros) {}

  @Override
  public void setCompressionThreshold(int threshold) {}

  @Override
  public boolean isPrimitiveAsString() {
    return false;
  }

  @Override
  public boolean isPackZeros() {
    return false;
  }

  @Override
  public void setCompressionMode(CompressionMode mode) {}
}
