package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool of batch buffers: reuse, its bound, and what it never takes back. */
class BatchBuffersTest {

  @Test
  void aBufferGivenBackIsTakenAgainEmptyAndLimitedToTheNewSize() {
    BatchBuffers buffers = new BatchBuffers();
    ByteBuffer first = buffers.take(1000);
    assertTrue(first.isDirect());
    assertEquals(0, first.position());
    assertEquals(1000, first.limit());
    first.put(new byte[600]);
    buffers.give(first);
    ByteBuffer second = buffers.take(300);
    assertSame(first, second);
    assertEquals(0, second.position());
    assertEquals(300, second.limit());
    assertEquals(1, buffers.created());
  }

  @Test
  void noMoreThanTheBoundOfDirectBuffersExistAndTheRestAreHeapBuffers() {
    BatchBuffers buffers = new BatchBuffers();
    List<ByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < BatchBuffers.MAX_BUFFERS + 5; i++) {
      taken.add(buffers.take(100));
    }
    assertEquals(BatchBuffers.MAX_BUFFERS, taken.stream().filter(ByteBuffer::isDirect).count());
    assertEquals(BatchBuffers.MAX_BUFFERS, buffers.created());
    taken.forEach(buffers::give);
    for (int i = 0; i < BatchBuffers.MAX_BUFFERS; i++) {
      assertTrue(buffers.take(100).isDirect(), "the given-back buffers are used again");
    }
    assertFalse(buffers.take(100).isDirect(), "heap buffers given back are not pooled");
    assertEquals(BatchBuffers.MAX_BUFFERS, buffers.created());
  }

  @Test
  void aBatchLargerThanAChunkGetsAHeapBufferOfItsOwnSize() {
    BatchBuffers buffers = new BatchBuffers();
    ByteBuffer large = buffers.take(BatchBuffers.CAPACITY + 1);
    assertFalse(large.isDirect());
    assertEquals(BatchBuffers.CAPACITY + 1, large.capacity());
    buffers.give(large);
    ByteBuffer next = buffers.take(10);
    assertNotSame(large, next);
    assertTrue(next.isDirect());
  }
}
