package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
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

  private static QuietBatch getsOf(String... keys) {
    List<QuietCommand> quiet = new java.util.ArrayList<>();
    for (String key : keys) {
      quiet.add(QuietCommand.get(key));
    }
    QuietBatch batch = new QuietBatch(quiet, new BatchBuffers());
    batch.encode();
    return batch;
  }

  /** A getq hit as memcached sends it: 4 bytes of flags, no key, the value; {@code extras} and {@code key} may lie. */
  private static byte[] hit(int opcode, int opaque, long cas, int flags, byte[] value, int extras, int keyLength, long bodyLength) {
    ByteBuffer reply = ByteBuffer.allocate(24 + 4 + value.length);
    reply.put((byte) 0x81).put((byte) opcode).putShort((short) keyLength).put((byte) extras).put((byte) 0)
        .putShort((short) 0).putInt((int) bodyLength).putInt(opaque).putLong(cas).putInt(flags).put(value);
    return reply.array();
  }

  private static byte[] hit(int opaque, long cas, int flags, byte[] value) {
    return hit(0x09, opaque, cas, flags, value, 4, 0, 4 + value.length);
  }

  /**
   * Hits carry their flags, CAS token and value whatever the reads cut them into (here one byte
   * per read); a key without a reply missed; a failure status is the key's own.
   */
  @Test
  void getsTakeTheirHitsFromRepliesCutAnywhereAndSilenceIsAMiss() {
    QuietBatch batch = getsOf("a", "b", "c", "d");
    int[] opaques = opaques(batch);
    assertEquals(5, opaques.length, "four getq and a noop");
    byte[] big = new byte[70_000];
    new java.util.Random(7).nextBytes(big);
    ByteBuffer replies = concat(hit(opaques[0], 0x1111L, 3, "va".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        hit(opaques[1], 0x2222L, 9, big), hit(opaques[2], 0x3333L, 0x0300, new byte[0]), reply(0x09, 0x81, opaques[3], 5, 5),
        reply(0x0a, 0, opaques[4], 0, 0));
    boolean done = false;
    for (int end = 1; end <= replies.limit() && !done; end++) {
      ByteBuffer read = replies.duplicate().limit(end);
      read.position(replies.position());
      done = batch.decode(null, read);
      replies.position(read.position());
    }
    assertTrue(done && batch.answered());
    assertEquals(new StoreEntryView(3, "va", 0x1111L), StoreEntryView.of(batch.entryOf(0)));
    assertEquals(0x2222L, batch.entryOf(1).cas());
    assertArrayEquals(big, batch.entryOf(1).data());
    assertEquals(new StoreEntryView(0x0300, "", 0x3333L), StoreEntryView.of(batch.entryOf(2)));
    assertNull(batch.entryOf(3), "a failed get found nothing");
    assertEquals(0x81, batch.statusOf(3));
    assertEquals(0, batch.statusOf(0));
  }

  private record StoreEntryView(int flags, String value, long cas) {
    static StoreEntryView of(StoreEntry entry) {
      return new StoreEntryView(entry.flags(), new String(entry.data(), java.nio.charset.StandardCharsets.UTF_8), entry.cas());
    }
  }

  /**
   * A hit that is not shaped as memcached shapes one (another opcode, a key echoed, other extras,
   * a body shorter than its flags or claiming more than memcached's largest item) ends the
   * connection before anything is allocated for it; a get that found nothing is just silent.
   */
  @Test
  void aMalformedHitEndsTheConnectionBeforeAnythingIsAllocated() {
    byte[] v = {1, 2, 3};
    List<java.util.function.IntFunction<byte[]>> lies = List.of(
        opaque -> hit(0x11, opaque, 1, 0, v, 4, 0, 7), // a setq's opcode
        opaque -> hit(0x0c, opaque, 1, 0, v, 4, 0, 7), // getk
        opaque -> hit(0x09, opaque, 1, 0, v, 4, 2, 7), // a key echoed
        opaque -> hit(0x09, opaque, 1, 0, v, 0, 0, 7), // no flags
        opaque -> hit(0x09, opaque, 1, 0, v, 8, 0, 7), // other extras
        opaque -> hit(0x09, opaque, 1, 0, v, 4, 0, 3), // a body shorter than its flags
        opaque -> hit(0x09, opaque, 1, 0, v, 4, 0, 4L + QuietBatch.MAX_VALUE_BYTES + 1), // over memcached's ceiling
        opaque -> hit(0x09, opaque, 1, 0, v, 4, 0, 0xffff_ffffL)); // 4 GiB
    for (int i = 0; i < lies.size(); i++) {
      QuietBatch batch = getsOf("a");
      byte[] lie = lies.get(i).apply(opaques(batch)[0]);
      assertThrows(MemcachedDecodeException.class, () -> batch.decode(null, ByteBuffer.wrap(lie)), "lie " + i);
    }
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
