package io.memjcache.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/** The phases of a membership load test (between changes) with their counts, and their report. */
final class Phases {

  /** A phase: from its start, through its change (if any) and the settling, to the next phase. */
  static final class Phase {
    final String name;
    final long start;
    long changed;
    long settled;
    long changeMillis;
    long settleMillis;
    long ops;
    long misses;
    long hits;
    long errors;
    long errorsAfterSettle;
    /** False for a phase that only measures (a change applied later than the settle time allows). */
    boolean promisesNoViolation = true;
    final List<String> violations = new ArrayList<>();
    final List<String> errorSamples = new ArrayList<>();

    /** A phase without a change (settled from its start); set the instants for one with a change. */
    Phase(String name, long start) {
      this.name = name;
      this.start = start;
      this.changed = start;
      this.settled = start;
    }

    /** Where a call began relative to this phase's change. */
    String moment(Call call) {
      return call.start() < changed ? "while setServers ran" : call.start() < settled ? "before settled" : "after settled";
    }
  }

  private final String tag;
  private final List<Phase> phases = new ArrayList<>();

  /** {@code tag} starts every printed line, e.g. {@code "[membership]"}. */
  Phases(String tag) {
    this.tag = tag;
  }

  void add(Phase phase) {
    phases.add(phase);
  }

  List<Phase> all() {
    return phases;
  }

  Phase of(Call call) {
    Phase found = phases.get(0);
    for (Phase phase : phases) {
      if (phase.start <= call.start()) {
        found = phase;
      }
    }
    return found;
  }

  /** Model-checks the calls, counts them per phase and prints one line per phase. */
  void check(List<Call> calls) {
    List<String> violations = ModelCheck.violations(calls, (read, text) -> {
      Phase phase = of(read);
      phase.violations.add(text + " (" + phase.moment(read) + ")");
    });
    for (Call call : calls) {
      Phase phase = of(call);
      phase.ops++;
      if (call.failed()) {
        phase.errors++;
        boolean settled = call.start() > phase.settled;
        phase.errorsAfterSettle += settled ? 1 : 0;
        if (phase.errorSamples.size() < 3 || settled && phase.errorsAfterSettle <= 3) {
          phase.errorSamples.add(call + " (" + phase.moment(call) + ")");
        }
      } else if (call.reads()) {
        if (call.seen() == 0) {
          phase.misses++;
        } else {
          phase.hits++;
        }
      }
    }
    for (Phase phase : phases) {
      System.out.printf("%s phase %s%s: %d ops, %d misses, %d hits, violations %d, errors %d"
              + " (after settle %d); setServers %d ms, settled %d ms after it began%n",
          tag, phase.name, phase.promisesNoViolation ? "" : " (measured, not asserted)", phase.ops, phase.misses, phase.hits, phase.violations.size(), phase.errors,
          phase.errorsAfterSettle, phase.changeMillis, phase.settleMillis);
      phase.violations.stream().limit(3).forEach(v -> System.out.println(tag + "   " + v));
      phase.errorSamples.stream().limit(3).forEach(e -> System.out.println(tag + "   error: " + e));
    }
    System.out.printf("%s total: %d ops, violations %d%n", tag, calls.size(), violations.size());
  }

  /**
   * The test's verdict: enough load in every phase, no violation in a phase that promises none,
   * no error once a change settled.
   */
  void assertSound(long minOps, long minHits) {
    for (Phase phase : phases) {
      assertTrue(phase.ops > minOps && phase.hits > minHits,
          "phase " + phase.name + " ran too little load to check anything: " + phase.ops + " ops, " + phase.hits + " hits");
    }
    List<String> violations = new ArrayList<>();
    phases.stream().filter(phase -> phase.promisesNoViolation).forEach(phase -> violations.addAll(phase.violations));
    assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())),
        violations.size() + " reads older than the model allows");
    for (Phase phase : phases) {
      assertEquals(0, phase.errorsAfterSettle, "errors after phase " + phase.name + " settled: " + phase.errorSamples);
    }
  }
}
