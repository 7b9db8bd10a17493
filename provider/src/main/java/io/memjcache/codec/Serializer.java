package io.memjcache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import io.memjcache.spi.ValueSerializer;
import javax.cache.CacheException;

/**
 * Turns keys and values into bytes and back. The first byte is a type tag: {@code String}, boxed
 * primitives and {@code byte[]} have compact fast paths that never touch Java serialization;
 * anything else is Java-serialized and read back through the cache's {@link ObjectInputFilter}, so
 * bytes planted in memcached by someone else cannot instantiate arbitrary classes.
 */
public final class Serializer {

  /** Tag of the String fast path; {@link KeyCodec} stores such keys readably. */
  static final byte STRING = 1;
  private static final byte INTEGER = 2;
  private static final byte LONG = 3;
  private static final byte BYTES = 4;
  private static final byte BOOLEAN = 5;
  private static final byte DOUBLE = 6;
  private static final byte FLOAT = 7;
  private static final byte SHORT = 8;
  private static final byte BYTE = 9;
  private static final byte CHARACTER = 10;
  private static final byte CUSTOM = 0x7E;
  private static final byte JAVA = 0x7F;

  /** The least hashing work a value may need, whatever its size (see {@link FilteredObjectInputStream}). */
  static final long MIN_HASH_WORK = 100_000;
  /** The most hashing work any value may need: about 100 ms of one core. */
  static final long MAX_HASH_WORK = 16_000_000;
  /** The most CPU time reading one value may take. */
  static final long MAX_READ_CPU_NANOS = 1_000_000_000L;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final ClassLoader classLoader;
  private final ObjectInputFilter filter;
  private final ValueSerializer valueSerializer;

  public Serializer(ClassLoader classLoader, ObjectInputFilter filter) {
    this(classLoader, filter, null);
  }

  /** @param valueSerializer a cache's own value serializer, or null for the default encodings */
  public Serializer(ClassLoader classLoader, ObjectInputFilter filter, ValueSerializer valueSerializer) {
    this.classLoader = classLoader;
    this.filter = filter;
    this.valueSerializer = valueSerializer;
  }

  /**
   * Serializes a value: with the cache's own {@link ValueSerializer} when it has one.
   *
   * @throws CacheException when the value cannot be serialized (names its type)
   */
  public byte[] serializeValue(Object value) {
    if (valueSerializer == null) {
      return serialize(value);
    }
    byte[] bytes;
    try {
      bytes = valueSerializer.serialize(value);
    } catch (IllegalArgumentException e) {
      throw new CacheException("cannot store a " + value.getClass().getName() + ": "
          + valueSerializer.getClass().getName() + " refused it: " + e.getMessage(), e);
    }
    byte[] out = new byte[bytes.length + 1];
    out[0] = CUSTOM;
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }

  /**
   * Serializes {@code object}.
   *
   * @throws CacheException when the object is not serializable (names its type): JCache's
   *     exception for a value the cache cannot store
   */
  public byte[] serialize(Object object) {
    if (object instanceof String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[utf8.length + 1];
      out[0] = STRING;
      System.arraycopy(utf8, 0, out, 1, utf8.length);
      return out;
    } else if (object instanceof Integer i) {
      return ByteBuffer.allocate(5).put(INTEGER).putInt(i).array();
    } else if (object instanceof Long l) {
      return ByteBuffer.allocate(9).put(LONG).putLong(l).array();
    } else if (object instanceof byte[] b) {
      byte[] out = new byte[b.length + 1];
      out[0] = BYTES;
      System.arraycopy(b, 0, out, 1, b.length);
      return out;
    } else if (object instanceof Boolean b) {
      return new byte[] {BOOLEAN, (byte) (b ? 1 : 0)};
    } else if (object instanceof Double d) {
      return ByteBuffer.allocate(9).put(DOUBLE).putDouble(d).array();
    } else if (object instanceof Float f) {
      return ByteBuffer.allocate(5).put(FLOAT).putFloat(f).array();
    } else if (object instanceof Short s) {
      return ByteBuffer.allocate(3).put(SHORT).putShort(s).array();
    } else if (object instanceof Byte b) {
      return new byte[] {BYTE, b};
    } else if (object instanceof Character c) {
      return ByteBuffer.allocate(3).put(CHARACTER).putChar(c).array();
    }
    return javaSerialize(object);
  }

  private static byte[] javaSerialize(Object object) {
    if (!(object instanceof Serializable)) {
      throw new CacheException(
          "cannot store a " + object.getClass().getName()
              + ": MemJCache stores by value and the type is not java.io.Serializable");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    bytes.write(JAVA);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    } catch (NotSerializableException e) {
      throw new CacheException(
          "cannot store a " + object.getClass().getName() + ": it holds a non-serializable "
              + e.getMessage(), e);
    } catch (IOException e) {
      throw new CacheException("cannot serialize a " + object.getClass().getName(), e);
    }
    return bytes.toByteArray();
  }

  /** Reads {@code length} bytes at {@code offset} written by {@link #serialize}. */
  public Object deserialize(byte[] data, int offset, int length) {
    if (length < 1) {
      throw new CorruptEntryException("empty serialized form");
    }
    ByteBuffer in = ByteBuffer.wrap(data, offset + 1, length - 1);
    byte tag = data[offset];
    try {
      return switch (tag) {
        case STRING -> new String(data, offset + 1, length - 1, StandardCharsets.UTF_8);
        case INTEGER -> exact(in, 4).getInt();
        case LONG -> exact(in, 8).getLong();
        case BYTES -> java.util.Arrays.copyOfRange(data, offset + 1, offset + length);
        case BOOLEAN -> exact(in, 1).get() != 0;
        case DOUBLE -> exact(in, 8).getDouble();
        case FLOAT -> exact(in, 4).getFloat();
        case SHORT -> exact(in, 2).getShort();
        case BYTE -> exact(in, 1).get();
        case CHARACTER -> exact(in, 2).getChar();
        case JAVA -> javaDeserialize(new ByteArrayInputStream(data, offset + 1, length - 1), length - 1);
        case CUSTOM -> customDeserialize(java.util.Arrays.copyOfRange(data, offset + 1, offset + length));
        default -> throw new CorruptEntryException("unknown type tag " + tag);
      };
    } catch (java.nio.BufferUnderflowException e) {
      throw new CorruptEntryException("truncated value of type tag " + tag);
    }
  }

  private static ByteBuffer exact(ByteBuffer in, int size) {
    if (in.remaining() != size) {
      throw new CorruptEntryException("expected " + size + " bytes, found " + in.remaining());
    }
    return in;
  }

  private Object customDeserialize(byte[] bytes) {
    if (valueSerializer == null) {
      throw new CorruptEntryException("written by a custom value serializer this cache is not configured with");
    }
    try {
      return valueSerializer.deserialize(bytes, classLoader);
    } catch (RuntimeException e) {
      throw new CorruptEntryException(valueSerializer.getClass().getName() + " could not read a value: " + e, e);
    }
  }

  private static long cpuTime() {
    long nanos = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    return nanos >= 0 ? nanos : System.nanoTime();
  }

  /**
   * Java-deserializes {@code length} bytes through the cache's filter. Whatever the bytes make
   * readObject do, the outcome is a value or a {@link CorruptEntryException}: planted bytes must
   * not throw anything else out of a get.
   */
  private Object javaDeserialize(InputStream bytes, int length) {
    FilteredObjectInputStream in = null;
    try {
      in = new FilteredObjectInputStream(bytes, length);
      return in.readObject();
    } catch (InvalidClassException e) {
      if (in != null && in.rejected != null) {
        throw new DisallowedClassException(
            "refused to deserialize " + in.rejected + ": outside this cache's deserialization "
                + "allowlist or limits (memjcache.deserialization.allowlist)", e);
      }
      throw new CorruptEntryException("incompatible class " + e.classname + ": " + e.getMessage(), e);
    } catch (ClassNotFoundException e) {
      throw new CorruptEntryException("class not found: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new CorruptEntryException("unreadable serialized value: " + e, e);
    } catch (StackOverflowError | OutOfMemoryError | LinkageError e) {
      // A self-containing collection hashed on insertion, an allocation the limits let through, a
      // class whose initializer fails: the entry is unreadable, the JVM is fine.
      throw new CorruptEntryException("unreadable serialized value: readObject failed with " + e, e);
    }
  }

  /**
   * Resolves classes through the CacheManager's class loader and applies the allowlist, plus a
   * bound no allowlist can express: an array never has more elements than the entry has bytes
   * (every element takes at least one byte of a genuine stream), and all arrays together at most
   * twice that (hash tables are sized a little above their entry count). A few bytes declaring a
   * huge array are refused before it is allocated.
   *
   * <p>Two bounds on CPU, which depth and reference limits alone cannot give: a hash set or map
   * hashes each element as it reads it, and a collection's hash walks all its contents, so a small
   * graph of shared collections costs exponentially many steps to read (a hash bomb). Each
   * collection read is weighed, once complete and before its container can hash it, by the steps
   * its hash would take (shared contents counted every time they are reached); one weighing more
   * than 16 steps per entry byte (at least {@link #MIN_HASH_WORK}, at most {@link #MAX_HASH_WORK})
   * is refused. And the whole read may take at most {@link #MAX_READ_CPU_NANOS} of CPU, checked as
   * objects are read: that ends a graph that repeats cheap-enough steps very many times.
   */
  private final class FilteredObjectInputStream extends ObjectInputStream {
    /** What the filter refused, for the error message. */
    String rejected;
    private long arrayElements;
    private final long hashWorkLimit;
    /** The weight of each collection read so far; created by the first one. */
    private Map<Object, Long> hashWork;
    /** CPU time when the read passed its first 256 objects (small values never ask the clock). */
    private long cpuStart = -1;
    private int reads;

    FilteredObjectInputStream(InputStream in, int length) throws IOException {
      super(in);
      hashWorkLimit = Math.max(MIN_HASH_WORK, Math.min(MAX_HASH_WORK, 16L * length));
      enableResolveObject(true);
      setObjectInputFilter(
          info -> {
            if ((++reads & 0xFF) == 0 && tookTooLong()) {
              return reject("a graph that took more than " + MAX_READ_CPU_NANOS / 1_000_000 + " ms of CPU to read");
            }
            long arrayLength = info.arrayLength();
            if (arrayLength >= 0) {
              arrayElements += arrayLength;
              if (arrayLength > length) {
                return reject(DeserializationFilters.describe(info) + " of " + arrayLength
                    + " elements, more than the " + length + " bytes of the entry could hold");
              }
              if (arrayElements > 2L * length) {
                return reject("arrays of " + arrayElements + " elements in all, more than twice the "
                    + length + " bytes of the entry");
              }
            }
            ObjectInputFilter.Status status = filter.checkInput(info);
            if (status == ObjectInputFilter.Status.REJECTED && rejected == null) {
              rejected = filter instanceof DeserializationFilters.Allowlist allowlist
                  ? allowlist.refusal(info)
                  : DeserializationFilters.describe(info);
            }
            return status;
          });
    }

    private boolean tookTooLong() {
      long now = cpuTime();
      if (cpuStart < 0) {
        cpuStart = now;
      }
      return now - cpuStart > MAX_READ_CPU_NANOS;
    }

    /** Weighs a complete collection before anything can hash it; see the class comment. */
    @Override
    protected Object resolveObject(Object object) throws IOException {
      long work;
      if (object instanceof Collection<?> collection) {
        work = 1;
        for (Object element : collection) {
          work += weight(element);
        }
      } else if (object instanceof Map<?, ?> map) {
        work = 1;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          work += weight(entry.getKey()) + weight(entry.getValue());
        }
      } else if (object instanceof Map.Entry<?, ?> entry) {
        work = 1 + weight(entry.getKey()) + weight(entry.getValue());
      } else {
        return object;
      }
      if (work > hashWorkLimit) {
        rejected = "a graph whose hash takes more than " + hashWorkLimit + " steps (a hash bomb: shared"
            + " collections inside collections)";
        throw new InvalidClassException(object.getClass().getName(), rejected);
      }
      if (hashWork == null) {
        hashWork = new IdentityHashMap<>();
      }
      hashWork.put(object, work);
      return object;
    }

    private long weight(Object element) {
      Long work = element == null || hashWork == null ? null : hashWork.get(element);
      return work == null ? 1 : work;
    }

    private ObjectInputFilter.Status reject(String reason) {
      if (rejected == null) {
        rejected = reason;
      }
      return ObjectInputFilter.Status.REJECTED;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, classLoader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
