package io.memjcache.store.memcached;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct buffers that {@link QuietBatch}es are encoded into, reused from batch to batch. A
 * fresh heap buffer per batch cost a putAll of 100 x 10 KiB values a fifth of its calling thread's
 * time in zeroing 1 MB it was about to overwrite, and the JDK copied each heap buffer once more
 * into a direct one of its own on the way to the socket.
 *
 * <p>A buffer comes back only when its batch is written and the node has answered it in full (see
 * QuietBatch#release). A batch that failed or was never answered keeps its buffer (xmemcached may
 * still be writing from it) and the garbage collector frees it. At most {@link #MAX_BUFFERS}
 * direct buffers exist per store; past that, and for a batch larger than {@link #CAPACITY} (one
 * value larger than a chunk), a plain heap buffer is used once.
 */
final class BatchBuffers {

  /** A chunk's commands and the closing noop. */
  static final int CAPACITY = Pipeline.CHUNK_BYTES + QuietCommand.HEADER;
  /** 2 MiB of direct memory per store at most: concurrent batches beyond it use heap buffers. */
  static final int MAX_BUFFERS = 8;

  private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(MAX_BUFFERS);
  private final AtomicInteger created = new AtomicInteger();

  /** An empty buffer of at least {@code size} bytes, limited to {@code size}. */
  ByteBuffer take(int size) {
    if (size > CAPACITY) {
      return ByteBuffer.allocate(size);
    }
    ByteBuffer buffer = free.poll();
    if (buffer == null) {
      buffer = created.getAndIncrement() < MAX_BUFFERS ? ByteBuffer.allocateDirect(CAPACITY) : null;
      if (buffer == null) {
        created.decrementAndGet();
        return ByteBuffer.allocate(size);
      }
    }
    buffer.clear().limit(size);
    return buffer;
  }

  /** Takes back a buffer that nothing will read again; heap buffers are left to the collector. */
  void give(ByteBuffer buffer) {
    if (buffer.isDirect() && buffer.capacity() == CAPACITY) {
      free.offer(buffer);
    }
  }

  /** Direct buffers made so far (for tests). */
  int created() {
    return created.get();
  }
}
