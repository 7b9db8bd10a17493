package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.store.StoreEntry;
import java.nio.ByteBuffer;
import java.util.List;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.exception.MemcachedDecodeException;
import net.rubyeye.xmemcached.utils.ByteUtils;
import org.junit.jupiter.api.Test;

/**
 * The reply side of {@link QuietBatch} on bytes a node could send, honest or not: a reply split
 * across reads, failures matched to their keys, a body claiming gigabytes skipped as it streams
 * (never buffered), and replies that belong to nothing sent refused. (PipelinedBulkTest runs the
 * batch against real memcached nodes; this test feeds the bytes a real node would not.)
 */
class QuietBatchTest {

  private static final BinaryCommandFactory FACTORY = new BinaryCommandFactory();

  private static QuietBatch batchOf(String... keys) {
    List<QuietCommand> quiet = new java.util.ArrayList<>();
    for (String key : keys) {
      quiet.add(QuietCommand.delete(key, 0));
    }
    QuietBatch batch = new QuietBatch(quiet, new BatchBuffers());
    batch.encode();
    return batch;
  }

  /** The opaques the batch wrote: each quiet command's, then the noop's, from its own bytes. */
  private static int[] opaques(QuietBatch batch) {
    ByteBuffer written = batch.getIoBuffer().buf().duplicate();
    List<Integer> found = new java.util.ArrayList<>();
    while (written.remaining() >= 24) {
      int start = written.position();
      found.add(written.getInt(start + 12));
      written.position(start + 24 + written.getInt(start + 8));
    }
    return found.stream().mapToInt(Integer::intValue).toArray();
  }

  private static byte[] reply(int opcode, int status, int opaque, int bodyLength, int bodyBytesPresent) {
    ByteBuffer reply = ByteBuffer.allocate(24 + bodyBytesPresent);
    reply.put((byte) 0x81).put((byte) opcode).putShort((short) 0).put((byte) 0).put((byte) 0)
        .putShort((short) status).putInt(bodyLength).putInt(opaque).putLong(0);
    while (reply.hasRemaining()) {
      reply.put((byte) 'x');
    }
    return reply.array();
  }

  private static ByteBuffer concat(byte[]... parts) {
    int total = 0;
    for (byte[] part : parts) {
      total += part.length;
    }
    ByteBuffer all = ByteBuffer.allocate(total);
    for (byte[] part : parts) {
      all.put(part);
    }
    return all.flip();
  }

  @Test
  void failuresAreMatchedToTheirKeysAndSilenceIsSuccess() {
    QuietBatch batch = batchOf("a", "b", "c");
    int[] opaques = opaques(batch);
    assertEquals(4, opaques.length, "three deleteq and a noop");
    ByteBuffer replies = concat(reply(0x14, 0x01, opaques[1], 9, 9), reply(0x0a, 0, opaques[3], 0, 0));
    // Fed in two reads, split inside the first header.
    ByteBuffer first = replies.duplicate().limit(10);
    assertFalse(batch.decode(null, first));
    assertEquals(0, first.position(), "a partial header is left for the next read");
    assertTrue(batch.decode(null, replies));
    assertTrue(batch.answered());
    assertEquals(0, batch.statusOf(0));
    assertEquals(1, batch.statusOf(1));
    assertEquals(0, batch.statusOf(2));
  }

  @Test
  void aBodyClaimingGigabytesIsSkippedAsItStreamsNeverBuffered() {
    QuietBatch batch = batchOf("a");
    int[] opaques = opaques(batch);
    ByteBuffer header = ByteBuffer.wrap(reply(0x14, 0x82, opaques[0], -1, 0)); // 4 GiB - 1
    assertFalse(batch.decode(null, header));
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    for (int i = 0; i < 16; i++) {
      assertFalse(batch.decode(null, chunk.clear()));
      assertEquals(chunk.limit(), chunk.position(), "each chunk consumed");
    }
    assertFalse(batch.answered(), "still inside the claimed body");
    assertEquals(0x82, batch.statusOf(0));
  }

  @Test
  void aReplyToNothingSentOrNotAReplyEndsTheConnection() {
    QuietBatch stranger = batchOf("a");
    int[] opaques = opaques(stranger);
    assertThrows(MemcachedDecodeException.class,
        () -> stranger.decode(null, ByteBuffer.wrap(reply(0x14, 0x01, opaques[0] + 1000, 0, 0))));
    QuietBatch garbage = batchOf("a");
    byte[] notAReply = reply(0x0a, 0, opaques(garbage)[1], 0, 0);
    notAReply[0] = 'V';
    assertThrows(MemcachedDecodeException.class, () -> garbage.decode(null, ByteBuffer.wrap(notAReply)));
  }

  /** Our hand-encoded commands, byte for byte what xmemcached itself sends for the same quiet command. */
  @Test
  void commandsAreEncodedAsXmemcachedEncodesThem() {
    byte[] value = "value-bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StoreEntry entry = new StoreEntry(0x0301, value, 0);
    assertSameWire(FACTORY.createSetCommand("k1", ByteUtils.getBytes("k1"), 3600, entry, true, RawTranscoder.INSTANCE),
        QuietCommand.set("k1", 0x0301, 3600, 0, value));
    assertSameWire(FACTORY.createCASCommand("k2", ByteUtils.getBytes("k2"), 0, entry, 0x1234_5678_9abcL, true,
        RawTranscoder.INSTANCE), QuietCommand.set("k2", 0x0301, 0, 0x1234_5678_9abcL, value));
    assertSameWire(FACTORY.createDeleteCommand("k3", ByteUtils.getBytes("k3"), 0, 77, true), QuietCommand.delete("k3", 77));
    assertThrows(IllegalArgumentException.class, () -> QuietCommand.delete("k".repeat(251), 0));
  }

  private static void assertSameWire(Command theirs, QuietCommand ours) {
    theirs.encode();
    ByteBuffer expected = theirs.getIoBuffer().buf();
    ByteBuffer actual = ByteBuffer.allocate(ours.encodedLength());
    ours.encodeInto(actual, expected.getInt(expected.position() + 12));
    assertEquals(expected, actual.flip());
  }

  @Test
  void unknownStatusesAreNamedByNumber() {
    assertEquals("out of memory (status 0x82)", QuietBatch.describe((short) 0x82));
    assertEquals("error (status 0xbeef)", QuietBatch.describe((short) 0xbeef));
    assertTrue(QuietBatch.isRefusal((short) 0x02));
    assertFalse(QuietBatch.isRefusal((short) 0x82));
  }

  /**
   * The batch's buffer goes back only after both its write and its closing reply: a write
   * reported twice must not stand in for the reply (the buffer would be reused while the node may
   * still be reading it).
   */
  @Test
  void aWriteReportedTwiceDoesNotGiveTheBufferBackBeforeTheReply() {
    BatchBuffers buffers = new BatchBuffers();
    QuietBatch batch = new QuietBatch(List.of(QuietCommand.delete("k", 0)), buffers);
    batch.encode();
    ByteBuffer used = batch.getIoBuffer().buf();
    batch.getWriteFuture().setResult(Boolean.TRUE);
    batch.getWriteFuture().setResult(Boolean.TRUE);
    assertNotSame(used, buffers.take(10), "buffer given back before the reply");
    int[] opaques = opaques(batch);
    assertTrue(batch.decode(null, concat(reply(0x0a, 0, opaques[opaques.length - 1], 0, 0))));
    assertSame(used, buffers.take(10), "buffer given back after the write and the reply");
  }
}
