package io.memjcache.store.memcached;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.exception.MemcachedException;

/**
 * Sends many xmemcached commands before awaiting any answer: each goes to its node's connection
 * as a single call would (routed by the locator), so a node receives its share back to back and
 * answers them in one stream, one round trip per node instead of one per key. Each command keeps
 * its own answer, so a failure (an error reply, a closed connection, the timeout) is that key's
 * alone.
 */
final class Pipeline {

  private final MemcachedClient client;
  private final long timeoutMillis;

  Pipeline(MemcachedClient client, long timeoutMillis) {
    this.client = client;
    this.timeoutMillis = timeoutMillis;
  }

  /** A command's answer: its result, or why it has none. */
  record Answer(Object result, Exception failure) {}

  /** Sends every command, then awaits them all within one operation timeout; answers in order. */
  List<Answer> run(List<Command> commands) throws InterruptedException {
    Exception[] unsent = new Exception[commands.size()];
    for (int i = 0; i < commands.size(); i++) {
      try {
        client.getConnector().send(commands.get(i));
      } catch (MemcachedException | RuntimeException e) {
        unsent[i] = e;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    List<Answer> answers = new ArrayList<>(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      Command command = commands.get(i);
      if (unsent[i] != null) {
        answers.add(new Answer(null, unsent[i]));
        continue;
      }
      long left = deadline - System.nanoTime();
      if (!command.getLatch().await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        command.cancel();
        answers.add(new Answer(null, new TimeoutException("no answer within " + timeoutMillis + " ms")));
        continue;
      }
      if (command.getIoBuffer() != null) {
        command.getIoBuffer().free();
      }
      if (command.getException() != null) {
        answers.add(new Answer(null, command.getException()));
      } else if (command.getResult() == null) {
        answers.add(new Answer(null, new MemcachedException("no result (connection closed?)")));
      } else {
        answers.add(new Answer(command.getResult(), null));
      }
    }
    return answers;
  }
}
