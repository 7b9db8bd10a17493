package io.memjcache.store.memcached;

import com.google.code.yanf4j.buffer.IoBuffer;
import com.google.code.yanf4j.core.impl.FutureImpl;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.command.CommandType;
import net.rubyeye.xmemcached.command.OperationStatus;
import net.rubyeye.xmemcached.command.binary.OpCode;
import net.rubyeye.xmemcached.exception.MemcachedDecodeException;
import net.rubyeye.xmemcached.impl.MemcachedTCPSession;

/**
 * One node's share of a batch as a single xmemcached command: the quiet binary commands (setq,
 * deleteq: {@link QuietCommand}s) written back to back, then a {@code noop}. memcached
 * answers a quiet command only when it fails, and answers in order, so the noop's reply closes the
 * batch: every quiet command without a reply of its own (matched by opaque) succeeded.
 *
 * <p>One write and one queued command per node (per chunk, see Pipeline) instead of one per key.
 * The replies are untrusted bytes: only their 24-byte headers are read; bodies (error strings) are
 * skipped as they stream by, whatever length they claim, and a reply that belongs to nothing sent
 * here ends the connection.
 */
final class QuietBatch extends Command {

  private static final int HEADER = QuietCommand.HEADER;
  private static final byte RESPONSE_MAGIC = (byte) 0x81;
  private static final byte NOOP = OpCode.NOOP.fieldValue();
  /** Each batch tags its commands with a run of opaques of its own: command i is base + i. */
  private static final AtomicInteger NEXT_BASE = new AtomicInteger();

  private final List<QuietCommand> quiet;
  private final BatchBuffers buffers;
  /** The buffer this batch was encoded into, until the write and the closing reply give it back. */
  private ByteBuffer encoded;
  /** What must end before the buffer goes back: the write of the batch and the read of its closing reply. */
  private final AtomicInteger holds = new AtomicInteger(2);
  /** Completed by xmemcached's writer once the last byte of the batch is in the socket. */
  private final FutureImpl<Boolean> written = new FutureImpl<>() {
    @Override
    public void setResult(Boolean result) {
      super.setResult(result);
      if (writeReleased.compareAndSet(false, true)) { // the write counts once, however often it is reported
        release();
      }
    }
  };
  private final AtomicBoolean writeReleased = new AtomicBoolean();
  private final short[] statuses;
  private final boolean[] replied;
  private final int base;
  private final int barrierOpaque;
  private long bodyLeft;
  private boolean barrierSeen;

  /** {@code quiet}: the commands of this batch's node; {@code buffers}: where its bytes are encoded. */
  QuietBatch(List<QuietCommand> quiet, BatchBuffers buffers) {
    super(CommandType.SET_MANY, new CountDownLatch(1));
    this.quiet = quiet;
    this.buffers = buffers;
    this.statuses = new short[quiet.size()];
    this.replied = new boolean[quiet.size()];
    this.base = NEXT_BASE.getAndAdd(quiet.size() + 1); // wraps around: opaques only need to differ within a batch
    this.barrierOpaque = base + quiet.size();
  }

  @Override
  public void encode() {
    int total = HEADER;
    for (QuietCommand command : quiet) {
      total += command.encodedLength();
    }
    ByteBuffer bytes = buffers.take(total);
    for (int i = 0; i < quiet.size(); i++) {
      quiet.get(i).encodeInto(bytes, base + i);
    }
    QuietCommand.putHeader(bytes, NOOP, 0, 0, 0, barrierOpaque, 0);
    bytes.flip();
    encoded = bytes;
    setIoBuffer(IoBuffer.wrap(bytes));
    // Already "writing" to xmemcached's Optimizer, which then never merges this batch with its
    // neighbours in the write queue: its merge copies each buffer's whole backing array
    // (IoBuffer.array()), which a direct, reused buffer does not have. A batch is large enough to
    // go alone.
    setStatus(OperationStatus.WRITING);
  }

  @Override
  public boolean decode(MemcachedTCPSession session, ByteBuffer buffer) {
    while (true) {
      if (bodyLeft > 0) {
        int step = (int) Math.min(bodyLeft, buffer.remaining());
        buffer.position(buffer.position() + step);
        bodyLeft -= step;
        if (bodyLeft > 0) {
          return false;
        }
      }
      if (barrierSeen) {
        release();
        countDownLatch();
        return true;
      }
      if (buffer.remaining() < HEADER) {
        return false;
      }
      int start = buffer.position();
      byte magic = buffer.get(start);
      byte opcode = buffer.get(start + 1);
      short status = buffer.getShort(start + 6);
      long body = Integer.toUnsignedLong(buffer.getInt(start + 8));
      int opaque = buffer.getInt(start + 12);
      buffer.position(start + HEADER);
      bodyLeft = body;
      if (magic != RESPONSE_MAGIC) {
        throw new MemcachedDecodeException("not a binary reply (magic " + (magic & 0xff) + ") in a batch: connection closed");
      }
      if (opcode == NOOP && opaque == barrierOpaque) {
        barrierSeen = true;
        continue;
      }
      int index = opaque - base;
      if (index < 0 || index >= quiet.size()) {
        throw new MemcachedDecodeException("a reply to nothing sent (opaque " + opaque + ") in a batch: connection closed");
      }
      statuses[index] = status;
      replied[index] = true;
    }
  }

  /**
   * The batch's own write future: xmemcached's writer completes it when the batch's last byte is
   * written (never merged with other commands, see {@link #encode}). xmemcached passes no future to
   * a command written with {@code Session.write}, so the field it would set is not used.
   */
  @Override
  public FutureImpl<Boolean> getWriteFuture() {
    return written;
  }

  /**
   * The buffer goes back to its pool when both the write of the batch and the read of its closing
   * reply are over; they run on different threads (the connection's reactor writes, a read thread
   * decodes when the client has several nodes), in either order. The reply alone would not do: it
   * can be decoded while the writer is still in its bookkeeping after the write, which asks the
   * buffer whether anything remains. After completing the future the writer only reads the
   * buffer's remaining count once more, for a statistic of its write loop. A batch whose write
   * failed, or that is never answered, keeps its buffer, and the garbage collector frees it.
   */
  private void release() {
    if (holds.decrementAndGet() == 0 && encoded != null) {
      buffers.give(encoded);
      encoded = null;
    }
  }

  /** Whether the node has answered the whole batch; then {@link #statusOf} holds. */
  boolean answered() {
    return getLatch().getCount() == 0 && getException() == null && barrierSeen;
  }

  /** Quiet command {@code index}'s reply status: {@code 0} (success) when it had no reply. */
  short statusOf(int index) {
    return replied[index] ? statuses[index] : 0;
  }

  /** Reply statuses that mean "not done" rather than "failed": not found, a CAS conflict, not stored. */
  static boolean isRefusal(short status) {
    return status == 0x01 || status == 0x02 || status == 0x05;
  }

  /** A readable name for a failure status (a number from the server, perhaps one never defined). */
  static String describe(short status) {
    String name = switch (status) {
      case 0x03 -> "value too large";
      case 0x04 -> "invalid arguments";
      case 0x20, 0x21, 0x08 -> "authentication required";
      case 0x81 -> "unknown command";
      case 0x82 -> "out of memory";
      case 0x83 -> "not supported";
      case 0x84 -> "internal error";
      case 0x85 -> "busy";
      case 0x86 -> "temporary failure";
      default -> "error";
    };
    return name + " (status 0x" + Integer.toHexString(status & 0xffff) + ")";
  }
}
