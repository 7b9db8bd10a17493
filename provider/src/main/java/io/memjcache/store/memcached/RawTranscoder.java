package io.memjcache.store.memcached;

import io.memjcache.store.StoreEntry;
import net.rubyeye.xmemcached.transcoders.CachedData;
import net.rubyeye.xmemcached.transcoders.CompressionMode;
import net.rubyeye.xmemcached.transcoders.Transcoder;

/**
 * Passes our bytes and flags through xmemcached untouched: no compression (the default transcoder
 * gzips values over 16 KiB) and no client-side 1 MiB check (the server's own limit applies).
 */
final class RawTranscoder implements Transcoder<StoreEntry> {

  static final RawTranscoder INSTANCE = new RawTranscoder();

  @Override
  public CachedData encode(StoreEntry entry) {
    return new CachedData(entry.flags(), entry.data(), Integer.MAX_VALUE, -1);
  }

  @Override
  public StoreEntry decode(CachedData data) {
    return new StoreEntry(data.getFlag(), data.getData(), data.getCas());
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
