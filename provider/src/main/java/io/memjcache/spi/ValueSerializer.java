package io.memjcache.spi;

/**
 * Turns a cache's values into bytes and back, in place of MemJCache's default (compact encodings
 * for strings, boxed primitives and byte arrays, Java serialization behind an allowlist for the
 * rest). Configure it per cache with {@code memjcache.cache.<name>.serializer = <class name>}; the
 * class needs a public no-argument constructor and must be thread-safe. Keys always use the
 * default encoding, so that every JVM finds the same memcached key.
 *
 * <p>{@link #deserialize} receives bytes read from memcached: untrusted input. A serializer that
 * can instantiate arbitrary classes must restrict them itself.
 */
public interface ValueSerializer {

  /** The bytes of {@code value}; throw {@link IllegalArgumentException} for a value it cannot store. */
  byte[] serialize(Object value);

  /** The value of {@code bytes}, which {@link #serialize} wrote; classes resolve through {@code classLoader}. */
  Object deserialize(byte[] bytes, ClassLoader classLoader);
}
