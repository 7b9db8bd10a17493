package io.memjcache.store.memcached;

import com.google.code.yanf4j.core.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.exception.MemcachedServerException;
import net.rubyeye.xmemcached.impl.MemcachedTCPSession;

/**
 * Runs a batch of quiet binary commands (one per key) as
 * {@link QuietBatch}es, one per node and per {@link #CHUNK_BYTES} of commands: one write and one
 * reply (plus one per failed key) each, instead of a round trip per key. A node's failure (closed
 * connection, timeout) is its keys' alone.
 */
final class Pipeline {

  /**
   * The most bytes one batch carries (a command larger than this goes alone): bounds the buffer a
   * batch allocates. At 32 KiB a 100 x 10 KiB putAll took 30 batches per node and ran about 20%
   * slower than in batches of 256 KiB, which the connection's 2 MiB send buffer (see
   * XMemcachedStore's SEND_BUFFER_BYTES) takes in one write.
   */
  static final int CHUNK_BYTES = 256 * 1024;

  private final Function<String, Session> sessionForKey;
  private final long timeoutMillis;
  private final BatchBuffers buffers = new BatchBuffers();

  Pipeline(Function<String, Session> sessionForKey, long timeoutMillis) {
    this.sessionForKey = sessionForKey;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * A command's answer: {@code true} done, {@code false} refused (not found, CAS conflict, not
   * stored), or why it has no answer.
   */
  record Answer(boolean done, Exception failure) {}

  /** Direct batch buffers made so far (for tests). */
  int buffersCreated() {
    return buffers.created();
  }

  /** Sends every command, grouped by node, then awaits the nodes within one operation timeout; answers in order. */
  List<Answer> run(List<QuietCommand> quietCommands) throws InterruptedException {
    int size = quietCommands.size();
    Answer[] answers = new Answer[size];
    Map<Session, List<Integer>> byNode = new IdentityHashMap<>();
    for (int i = 0; i < size; i++) {
      Session session = sessionForKey.apply(quietCommands.get(i).key());
      if (session == null) {
        answers[i] = new Answer(false, new MemcachedException("no connection for this key at this moment"));
      } else {
        byNode.computeIfAbsent(session, s -> new ArrayList<>()).add(i);
      }
    }
    Map<QuietBatch, List<Integer>> sent = new IdentityHashMap<>();
    for (Map.Entry<Session, List<Integer>> node : byNode.entrySet()) {
      Session session = node.getKey();
      List<Integer> indexes = node.getValue();
      Exception unusable = unusable(session);
      if (unusable != null) {
        indexes.forEach(i -> answers[i] = new Answer(false, unusable));
        continue;
      }
      for (List<Integer> chunk : chunks(indexes, quietCommands)) {
        List<QuietCommand> share = new ArrayList<>(chunk.size());
        chunk.forEach(i -> share.add(quietCommands.get(i)));
        QuietBatch batch = new QuietBatch(share, buffers);
        session.write(batch);
        sent.put(batch, chunk);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (Map.Entry<QuietBatch, List<Integer>> node : sent.entrySet()) {
      QuietBatch batch = node.getKey();
      List<Integer> indexes = node.getValue();
      Exception failure = await(batch, deadline);
      for (int n = 0; n < indexes.size(); n++) {
        answers[indexes.get(n)] = failure != null ? new Answer(false, failure) : answer(batch.statusOf(n));
      }
    }
    return Arrays.asList(answers);
  }

  /** Splits one node's commands (by index) into runs of at most {@link #CHUNK_BYTES} encoded bytes. */
  private static List<List<Integer>> chunks(List<Integer> indexes, List<QuietCommand> commands) {
    List<List<Integer>> chunks = new ArrayList<>();
    List<Integer> chunk = new ArrayList<>();
    long bytes = 0;
    for (int i : indexes) {
      int encoded = commands.get(i).encodedLength();
      if (!chunk.isEmpty() && bytes + encoded > CHUNK_BYTES) {
        chunks.add(chunk);
        chunk = new ArrayList<>();
        bytes = 0;
      }
      chunk.add(i);
      bytes += encoded;
    }
    chunks.add(chunk);
    return chunks;
  }

  private static Exception unusable(Session session) {
    if (session.isClosed()) {
      return new MemcachedException("connection closed");
    }
    if (session instanceof MemcachedTCPSession memcached && memcached.isAuthFailed()) {
      return new MemcachedException("authentication failed on this connection");
    }
    return null;
  }

  private Exception await(QuietBatch batch, long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (!batch.getLatch().await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
      batch.cancel();
      return new TimeoutException("no answer within " + timeoutMillis + " ms");
    }
    if (batch.getException() != null) {
      return batch.getException();
    }
    if (!batch.answered()) {
      return new MemcachedException("the batch ended without its closing reply (connection closed?)");
    }
    return null;
  }

  private static Answer answer(short status) {
    if (status == 0) {
      return new Answer(true, null);
    }
    if (QuietBatch.isRefusal(status)) {
      return new Answer(false, null);
    }
    return new Answer(false, new MemcachedServerException(QuietBatch.describe(status)));
  }
}
