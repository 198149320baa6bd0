/*
 * Runs SQL scripts in Apache Flink (a local MiniCluster started by the table environment) for the
 * side-by-side benchmark, compiled by bench/flink/flink.ts against the jars of bench/flink/pom.xml.
 *
 * Usage: java -cp '.cache/classes:.cache/libs/*' FlinkSqlRunner <warmup.sql> <measured.sql>
 *
 * Steps:
 *   1. Each script runs in a fresh streaming TableEnvironment with parallelism 1 (the same as Rivulet's
 *      single thread); its statements are executed in order and the INSERT's job is awaited.
 *   2. The warm-up script (the same query over fewer events) runs first in the same JVM, so the
 *      measured run finds the planner, the code generator and the JIT warm.
 *   3. For the measured script it prints one JSON line on stdout: `secs` (wall clock from submitting
 *      the INSERT to the job's end, which includes planning and starting the MiniCluster, as Rivulet's
 *      figure includes its planning), `netSecs` (the job's own net runtime as Flink reports it), `cpu`
 *      (process CPU seconds, all threads, from the job's RUNNING state to its end: without the MiniCluster
 *      start and the planning, like the net runtime) and `rssMiB` (the process's peak resident
 *      set, VmHWM). A script that Flink refuses prints `{"error": "..."}` and exits 0, so the caller can
 *      report the reason on the query's line.
 */
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

public final class FlinkSqlRunner {
  private FlinkSqlRunner() {}

  /** Splits a script at semicolons outside quotes and comments. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = script.length();
    for (int i = 0; i < n; i++) {
      char c = script.charAt(i);
      if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        while (i < n && script.charAt(i) != '\n') i++;
        cur.append('\n');
        continue;
      }
      if (c == '\'' || c == '`' || c == '"') {
        int end = i + 1;
        while (end < n) {
          if (script.charAt(end) == c) {
            if (end + 1 < n && script.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        cur.append(script, i, Math.min(end + 1, n));
        i = end;
        continue;
      }
      if (c == ';') {
        if (!cur.toString().isBlank()) out.add(cur.toString().trim());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().trim());
    return out;
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static double peakRssMiB() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return 0;
  }

  /** Runs a script; returns {wall seconds, net seconds, cpu seconds}. */
  static double[] run(Path file) throws Exception {
    EnvironmentSettings settings = EnvironmentSettings.inStreamingMode();
    TableEnvironment env = TableEnvironment.create(settings);
    env.getConfig().set("parallelism.default", "1");
    env.getConfig().set("table.exec.resource.default-parallelism", "1");
    env.getConfig().set("pipeline.name", file.getFileName().toString());
    List<String> stmts = statements(Files.readString(file, StandardCharsets.UTF_8));
    double[] result = null;
    for (String stmt : stmts) {
      boolean insert = stmt.regionMatches(true, 0, "INSERT", 0, 6);
      if (!insert) {
        env.executeSql(stmt);
        continue;
      }
      long t0 = System.nanoTime();
      TableResult r = env.executeSql(stmt);
      JobClient client = r.getJobClient().orElseThrow();
      // CPU is counted from the moment the job runs: starting the MiniCluster and planning are
      // excluded, as they are from the net runtime.
      while (!client.getJobStatus().get().isGloballyTerminalState()
          && client.getJobStatus().get() != org.apache.flink.api.common.JobStatus.RUNNING) {
        Thread.sleep(5);
      }
      long c0 = cpuNanos();
      JobExecutionResult done = client.getJobExecutionResult().get();
      long t1 = System.nanoTime();
      long c1 = cpuNanos();
      result = new double[] {(t1 - t0) / 1e9, done.getNetRuntime() / 1e3, (c1 - c0) / 1e9};
    }
    if (result == null) throw new IllegalArgumentException(file + " has no INSERT statement");
    return result;
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(' ');
      else b.append(c);
    }
    return b.append('"').toString();
  }

  /** The innermost cause's message: the planner's own words rather than the wrappers'. */
  static String reason(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    String first = msg.strip().split("\n")[0];
    return root.getClass().getSimpleName() + ": " + first;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: FlinkSqlRunner <warmup.sql> <measured.sql>");
      System.exit(2);
    }
    try {
      run(Path.of(args[0]));
      double[] m = run(Path.of(args[1]));
      System.out.printf(
          java.util.Locale.ROOT,
          "{\"secs\":%.4f,\"netSecs\":%.4f,\"cpu\":%.4f,\"rssMiB\":%.1f}%n",
          m[0],
          m[1],
          m[2],
          peakRssMiB());
    } catch (Exception e) {
      System.out.println("{\"error\":" + json(reason(e)) + "}");
    }
    System.exit(0);
  }
}
