package io.memjcache.store.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.store.Store;
import org.junit.jupiter.api.Test;

class ExptimeTest {

  private static final long NOW = 1_700_000_000_123L;

  @Test
  void neverIsZeroAndNothingElseIs() {
    assertEquals(0, Exptime.of(Store.NEVER, NOW));
    assertEquals(1, Exptime.of(NOW, NOW), "already expired still gets a bound, never 0");
    assertEquals(1, Exptime.of(NOW - 5000, NOW));
  }

  @Test
  void roundsUpAndPads() {
    assertEquals(2, Exptime.of(NOW + 20, NOW));
    assertEquals(2, Exptime.of(NOW + 1000, NOW));
    assertEquals(3, Exptime.of(NOW + 1001, NOW));
  }

  @Test
  void beyondThirtyDaysIsAbsolute() {
    long thirtyDays = Exptime.MAX_RELATIVE_SECONDS * 1000;
    assertTrue(Exptime.of(NOW + thirtyDays - 5000, NOW) <= Exptime.MAX_RELATIVE_SECONDS);
    int absolute = Exptime.of(NOW + thirtyDays + 5000, NOW);
    assertTrue(absolute > NOW / 1000 + Exptime.MAX_RELATIVE_SECONDS, "absolute unix time: " + absolute);
  }
}
