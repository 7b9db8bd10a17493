package io.memjcache.benchmarks;

import java.util.Map;

/**
 * The bulk keys of one benchmark thread: {@value #BATCHES} batches of {@value BenchData#BATCH}
 * keys no other thread touches, so that what a thread wrote or removed can be checked exactly at
 * the end of each iteration. Each write of a batch alternates its two values.
 */
final class ThreadBatches {

  static final int BATCHES = 4;
  private static final byte UNTOUCHED = 0;
  private static final byte WRITTEN = 1;
  private static final byte REMOVED = 2;
  private static final byte ROTATED = 3;

  private final BulkBatch[] batches = new BulkBatch[BATCHES];
  private final byte[] state = new byte[BATCHES];
  private final int size;
  private long calls;

  ThreadBatches(BenchData data, int thread) {
    for (int b = 0; b < BATCHES; b++) {
      batches[b] = new BulkBatch(data, thread, b);
    }
    this.size = data.size;
  }

  private int index() {
    return (int) (calls % BATCHES);
  }

  /** The next batch to work on, round robin. */
  BulkBatch next() {
    calls++;
    return batches[index()];
  }

  /** Which of its two values the current batch gets: they alternate from one round to the next. */
  int variant() {
    return (int) ((calls / BATCHES) & 1);
  }

  void written() {
    state[index()] = WRITTEN;
  }

  void removed() {
    state[index()] = REMOVED;
  }

  void rotated() {
    state[index()] = ROTATED;
  }

  /** Writes variant 0 of every batch (for invokeAll, which needs present entries). */
  void populate(Target client) {
    for (BulkBatch batch : batches) {
      client.putAll(batch, 0);
    }
  }

  /**
   * Reads back every batch touched since the last check: a written batch holds one of its two
   * values on every key, a removed one holds nothing, a rotated one a rotation of variant 0.
   */
  void verify(Target client, String target) {
    for (int b = 0; b < BATCHES; b++) {
      if (state[b] == UNTOUCHED) {
        continue;
      }
      BulkBatch batch = batches[b];
      Map<String, ?> found = client.read(batch.keys);
      if (state[b] == REMOVED) {
        if (!found.isEmpty()) {
          throw new IllegalStateException(target + ": " + found.size() + " of " + BenchData.BATCH
              + " removed keys are still there, e.g. " + found.keySet().iterator().next());
        }
      } else {
        int wrong = 0;
        String example = null;
        for (int i = 0; i < BenchData.BATCH; i++) {
          String key = batch.keys.get(i);
          Object value = found.get(key);
          boolean ok = state[b] == ROTATED
              ? Checks.rotationOf(value, batch.strings[0][i])
              : value != null && (Checks.text(value).equals(batch.strings[0][i])
                  || Checks.text(value).equals(batch.strings[1][i]));
          if (!ok && wrong++ == 0) {
            example = key + " holds " + Checks.describe(value);
          }
        }
        if (wrong > 0) {
          throw new IllegalStateException(target + ": " + wrong + " of " + BenchData.BATCH + " keys this thread "
              + (state[b] == ROTATED ? "invoked" : "wrote") + " (" + found.size() + " read back) do not hold its value"
              + " of size " + size + ", e.g. " + example);
        }
      }
      state[b] = UNTOUCHED;
    }
  }
}
