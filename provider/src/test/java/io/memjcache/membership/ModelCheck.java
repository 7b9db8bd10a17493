package io.memjcache.membership;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Checks the reads of a call log against the writes of the same keys.
 *
 * <p>A read that returned value v during [rs, re] is a violation when a write or remove of the key
 * that returned normally started after v's write returned and itself returned before rs: v was
 * already overwritten when the read began. A value never written under that key, or written by a
 * call that started after the read ended, is a violation too. A write that failed may have taken
 * effect, so its value may be read, but it proves no read stale (nor is its value's age known).
 * Misses are always allowed.
 */
final class ModelCheck {

  private ModelCheck() {}

  /** Every violation, each also handed to {@code sink} with the read that committed it. */
  static List<String> violations(List<Call> calls, BiConsumer<Call, String> sink) {
    Map<Long, Call> writeOf = new HashMap<>();
    Map<Integer, List<Call>> proofsByKey = new HashMap<>();
    for (Call call : calls) {
      if (call.writes() && call.written() != 0) {
        writeOf.put(call.written(), call);
      }
      if (call.writes() && !call.failed()) {
        proofsByKey.computeIfAbsent(call.key(), k -> new ArrayList<>()).add(call);
      }
    }
    Map<Integer, Proofs> proofs = new HashMap<>();
    proofsByKey.forEach((key, writes) -> proofs.put(key, new Proofs(writes)));
    List<String> violations = new ArrayList<>();
    for (Call read : calls) {
      if (!read.reads() || read.seen() == 0) {
        continue;
      }
      Call written = writeOf.get(read.seen());
      String violation = null;
      if (written == null || written.key() != read.key()) {
        violation = "violation: " + read + " read a value never written under k" + read.key();
      } else if (written.start() > read.end()) {
        violation = "violation: " + read + " read a value written after it returned, by " + written;
      } else if (!written.failed()) {
        Call newer = proofs.get(read.key()).newerThan(written.end(), read.start());
        if (newer != null) {
          violation = "violation: " + read + " read the value of " + written + " though " + newer
              + " had replaced it before the read began";
        }
      }
      if (violation != null) {
        violations.add(violation);
        sink.accept(read, violation);
      }
    }
    return violations;
  }

  /** A key's successful writes by end, with the latest start among those ending up to each. */
  private static final class Proofs {
    private final Call[] byEnd;
    private final int[] latestStartIndex;

    Proofs(List<Call> writes) {
      byEnd = writes.toArray(new Call[0]);
      Arrays.sort(byEnd, Comparator.comparingLong(Call::end));
      latestStartIndex = new int[byEnd.length];
      for (int i = 0; i < byEnd.length; i++) {
        int best = i == 0 ? 0 : latestStartIndex[i - 1];
        latestStartIndex[i] = byEnd[i].start() > byEnd[best].start() ? i : best;
      }
    }

    /** A write that started after {@code after} and ended before {@code before}, or null. */
    Call newerThan(long after, long before) {
      int low = 0;
      int high = byEnd.length - 1;
      int last = -1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        if (byEnd[mid].end() < before) {
          last = mid;
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      if (last < 0) {
        return null;
      }
      Call latest = byEnd[latestStartIndex[last]];
      return latest.start() > after ? latest : null;
    }
  }
}
