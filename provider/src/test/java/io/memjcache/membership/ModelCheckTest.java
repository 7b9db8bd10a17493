package io.memjcache.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load tests' checker flags what it must and nothing else (hand-made logs, no memcached). */
class ModelCheckTest {

  private static Call put(long value, long start, long end) {
    return new Call(1, Call.PUT, value, -1, start, end, null, 0);
  }

  private static Call get(long seen, long start, long end) {
    return new Call(1, Call.GET, 0, seen, start, end, null, 0);
  }

  private static List<String> check(Call... calls) {
    List<String> sunk = new ArrayList<>();
    List<String> found = ModelCheck.violations(List.of(calls), (read, text) -> sunk.add(text));
    assertEquals(found, sunk);
    return found;
  }

  @Test
  void aReadOfTheLatestOrAConcurrentValueIsFine() {
    assertEquals(List.of(), check(put(1, 0, 10), put(2, 5, 20), get(1, 15, 25), get(2, 15, 25), get(0, 30, 31)));
  }

  @Test
  void aValueOverwrittenBeforeTheReadBeganIsAViolation() {
    List<String> found = check(put(1, 0, 10), put(2, 11, 20), get(1, 21, 25));
    assertEquals(1, found.size());
    assertTrue(found.get(0).contains("v1") && found.get(0).contains("v2"), found.get(0));
  }

  @Test
  void aValueRemovedBeforeTheReadBeganIsAViolation() {
    assertEquals(1, check(put(1, 0, 10), new Call(1, Call.REMOVE, 0, -1, 11, 12, null, 0), get(1, 13, 14)).size());
  }

  @Test
  void anInvokeSeesOldValuesLikeAGet() {
    Call invoke = new Call(1, Call.INVOKE, 3, 1, 21, 25, null, 0);
    assertEquals(1, check(put(1, 0, 10), put(2, 11, 20), invoke).size());
    assertEquals(List.of(), check(put(1, 0, 10), new Call(1, Call.INVOKE, 3, 1, 11, 20, null, 0), get(3, 21, 22)));
  }

  @Test
  void aFailedWriteMayBeReadButProvesNothing() {
    Call failed = new Call(1, Call.PUT, 2, -1, 11, 20, "CacheException: timed out", 0);
    assertEquals(List.of(), check(put(1, 0, 10), failed, get(1, 21, 25), get(2, 21, 25)));
  }

  @Test
  void foreignFutureAndOtherKeysValuesAreViolations() {
    Call otherKey = new Call(2, Call.PUT, 7, -1, 0, 1, null, 0);
    assertEquals(3, check(put(1, 0, 10), get(Call.FOREIGN, 11, 12), get(5, 11, 12), otherKey, get(7, 2, 3)).size());
    assertEquals(1, check(get(1, 0, 10), put(1, 11, 12)).size());
  }

  @Test
  void eachKeyOfAGetAllIsCheckedLikeAGet() {
    Call stale = new Call(1, Call.GET_ALL, 0, 1, 21, 25, null, 1);
    Call fresh = new Call(1, Call.GET_ALL, 0, 2, 21, 25, null, 1);
    assertEquals(1, check(put(1, 0, 10), put(2, 11, 20), stale, fresh).size());
  }
}
