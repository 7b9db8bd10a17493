package io.memjcache.sample.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.memjcache.testing.MemcachedCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PlainSampleTest {

  @RegisterExtension static final MemcachedCluster MEMCACHED = MemcachedCluster.nodes(3);

  @Test
  void theSampleRunsAndReportsWhatHappened() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PlainSample.Report report = PlainSample.run(MEMCACHED.serverList(), new PrintStream(printed, true, StandardCharsets.UTF_8));
    String output = printed.toString(StandardCharsets.UTF_8);

    assertEquals(6, report.nodeByKey().size());
    assertTrue(new HashSet<>(report.nodeByKey().values()).size() >= 2, "keys spread over the nodes: " + report.nodeByKey());
    assertTrue(MEMCACHED.serverList().contains(report.nodeByKey().get("apple")));
    assertEquals(13, report.hits(), "12 gets of present keys + the processor's read");
    assertEquals(1, report.misses(), "grape");
    assertEquals(7, report.puts(), "putAll of 6 + the processor's write");
    assertTrue(report.nearCacheHits() >= 6, "second reads served locally: " + report.nearCacheHits());
    assertEquals(11, report.stockAfterSale());
    assertTrue(report.sessionExpired());
    assertTrue(report.events().contains("created apple=12"), report.events().toString());
    assertTrue(report.events().contains("updated apple 12 -> 11"), report.events().toString());
    assertTrue(output.contains("apple") && output.contains("hit rate") && output.contains("near cache"), output);
  }
}
