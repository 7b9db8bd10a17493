package io.memjcache.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH's command line, run once for each thread count of {@code -Dbench.threads} (default
 * {@code 1,16}) in this one launch, with every result in one file. JMH's {@code -t} takes a single
 * count; ratios are only meaningful between figures measured in the same launch.
 *
 * <p>{@code -rff FILE} names the merged JSON result (default {@code results.json}); each thread
 * count's part is also kept as {@code FILE.t<N>.json} as soon as it is done.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions command = new CommandLineOptions(args);
    if (command.shouldHelp() || command.shouldList() || command.shouldListWithParams()
        || command.shouldListProfilers() || command.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    List<Integer> threadCounts = new ArrayList<>();
    for (String part : System.getProperty("bench.threads", "1,16").split(",")) {
      threadCounts.add(Integer.parseInt(part.trim()));
    }
    Path result = Path.of(command.getResult().orElse("results.json")).toAbsolutePath();
    if (result.getParent() != null) {
      Files.createDirectories(result.getParent());
    }
    List<RunResult> all = new ArrayList<>();
    for (int threads : threadCounts) {
      Options options =
          new OptionsBuilder()
              .parent(command)
              .threads(threads)
              .resultFormat(ResultFormatType.JSON)
              .result(result + ".t" + threads + ".json")
              .build();
      Collection<RunResult> part = new Runner(options).run();
      all.addAll(part);
    }
    ResultFormatFactory.getInstance(ResultFormatType.JSON, result.toString()).writeOut(all);
    System.out.println("results of " + all.size() + " runs (threads " + threadCounts + ") in " + result);
  }
}
