package org.tasklife.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the given command line (exactly as {@code java -jar benchmarks.jar ...} would) and then
 * prints, for every tasklife benchmark whose baseline ran in the same run, the ratio
 * {@code tasklife / baseline} as a Markdown table (ratios, not absolute times). This is what
 * {@code bench/run} calls; the jar's Main-Class stays {@code org.openjdk.jmh.Main}.
 *
 * <p>Pairs are listed in {@link #PAIRS}: a tasklife benchmark and its baseline in the same class, with the
 * same parameters and thread count, or a peer's row (Kotlin coroutines) in another class at equal parameters.
 * For SampleTime benchmarks the table also gives p50 and p99; a SingleShotTime row's score is the median of its
 * shots (the ± is still JMH's error of the mean). With {@code -Dtasklife.bench.peers=FILE}, a
 * second table sets peers measured outside JMH (Erlang, see {@link #PEER_PAIRS}) beside the tasklife rows.
 * With {@code -Dtasklife.bench.table=FILE} the tables are written to FILE as well.
 */
public final class Suite {
    private Suite() {}

    /**
     * One comparison: benchmark classes matching {@code classRegex}, tasklife method vs baseline method. The
     * baseline is in the same class, unless {@code baselineClassRegex} is given (a peer, e.g. the Kotlin
     * coroutine rows): then it is in a class matching that, with the same parameters and thread count.
     */
    private record Pair(String classRegex, String tasklife, String baselineClassRegex, String baseline) {
        Pair(String classRegex, String tasklife, String baseline) {
            this(classRegex, tasklife, null, baseline);
        }

        boolean isBaseline(Row r) {
            return r.method.equals(baseline) && r.cls.matches(baselineClassRegex == null ? classRegex : baselineClassRegex);
        }

        boolean baselineOf(Row t, Row b) {
            return isBaseline(b) && (baselineClassRegex == null ? b.key().equals(t.key()) : b.peerKey().equals(t.peerKey()));
        }
    }

    private static final List<Pair> PAIRS = List.of(
            new Pair("SpawnBench", "spawnJoin_task_inTask", "spawnJoin_vthread_inVthread"),
            new Pair("SpawnBench", "spawnReap_group_inTask", "spawnJoin_vthread_inVthread"),
            new Pair("SpawnBench", "spawnJoin_task_host", "spawnJoin_vthread_host"),
            new Pair("SpawnBench", "spawnReap_group_host", "spawnJoin_vthread_host"),
            new Pair("UncontendedBench", "lock_mutex_host", "lock_reentrantLock_host"),
            new Pair("UncontendedBench", "acquire_semaphore_host", "acquire_jdkSemaphore_host"),
            new Pair("UncontendedBench", "lock_mutex_inTask", "lock_reentrantLock_inVthread"),
            new Pair("UncontendedBench", "acquire_semaphore_inTask", "acquire_jdkSemaphore_inVthread"),
            new Pair("ContendedHost\\d+", "lock_mutex", "lock_reentrantLock"),
            new Pair("ContendedHost\\d+", "lock_fairMutex", "lock_fairReentrantLock"),
            new Pair("ContendedHost\\d+", "acquire_semaphore", "acquire_jdkSemaphore"),
            new Pair("ContendedHost\\d+", "acquire_fairSemaphore", "acquire_jdkFairSemaphore"),
            new Pair("ContendedInTaskBench", "lock_mutex_inTask", "lock_reentrantLock_inVthread"),
            new Pair("ContendedInTaskBench", "lock_fairMutex_inTask", "lock_fairReentrantLock_inVthread"),
            new Pair("ContendedInTaskBench", "acquire_semaphore_inTask", "acquire_jdkSemaphore_inVthread"),
            new Pair("ContendedInTaskBench", "acquire_fairSemaphore_inTask", "acquire_jdkFairSemaphore_inVthread"),
            new Pair("RwLockBench", "read_rwLock_host", "read_jdkRwLock_host"),
            new Pair("RwLockBench", "write_rwLock_host", "write_jdkRwLock_host"),
            new Pair("RwLockBench", "read_rwLock_inTask", "read_jdkRwLock_inVthread"),
            new Pair("RwLockBench", "write_rwLock_inTask", "write_jdkRwLock_inVthread"),
            new Pair("RwLockContendedBench", "mixed_rwLock_inTask", "mixed_jdkRwLock_inVthread"),
            new Pair("RwLockContendedBench", "mixed_rwLock_inTask", "mixed_jdkFairRwLock_inVthread"),
            new Pair("BarrierBench", "rounds_barrier_inTask", "rounds_cyclicBarrier_inVthread"),
            new Pair("PingPongBench", "pingPong_mutexCondition_inTask", "pingPong_reentrantLockCondition_inVthread"),
            new Pair("KillLatencyBench", "kill_mutex", "interrupt_jdkSemaphore_vthread"),
            new Pair("KillLatencyBench", "kill_semaphore", "interrupt_jdkSemaphore_vthread"),
            new Pair("KillLatencyBench", "kill_condition", "interrupt_jdkSemaphore_vthread"),
            new Pair("KillLatencyBench", "kill_sleep", "interrupt_jdkSemaphore_vthread"),
            new Pair("KillLatencyBench", "kill_mutex", "floor_unparkComplete_vthread"),
            new Pair("KillLatencyBench", "kill_semaphore", "floor_unparkComplete_vthread"),
            new Pair("KillLatencyBench", "kill_condition", "floor_unparkComplete_vthread"),
            new Pair("KillLatencyBench", "kill_sleep", "floor_unparkComplete_vthread"),
            new Pair("KillLatencyBench", "interrupt_jdkSemaphore_vthread", "floor_unparkComplete_vthread"),
            new Pair("MassKillBench", "killGroup_mutex", "interruptJoin_jdkSemaphore_vthread"),
            new Pair("MassKillBench", "killGroup_semaphore", "interruptJoin_jdkSemaphore_vthread"),
            new Pair("MassKillBench", "killGroup_condition", "interruptJoin_jdkSemaphore_vthread"),
            new Pair("MassKillBench", "killGroup_mutex", "floor_flagUnparkExit_vthread"),
            new Pair("MassKillBench", "killGroup_semaphore", "floor_flagUnparkExit_vthread"),
            new Pair("MassKillBench", "killGroup_condition", "floor_flagUnparkExit_vthread"),
            new Pair("MassKillBench", "interruptJoin_jdkSemaphore_vthread", "floor_flagUnparkExit_vthread"),
            new Pair("DomainStopBench", "stopDomain_everyWait", "interruptJoin_jdkEveryWait_vthread"),
            new Pair("DomainStopBench", "stopDomain_everyWait", "floor_flagUnparkExit_vthread"),
            new Pair("SchedulerBench", "handoff_schedulerOneCpu", "handoff_defaultMode"),
            new Pair("SchedulerBench", "contendedMutex_schedulerOneCpu", "contendedMutex_defaultMode"),
            new Pair("SchedulerBench", "handoff_schedulerTwoCpus", "handoff_defaultMode"),
            new Pair("SchedulerBench", "contendedMutex_schedulerTwoCpus", "contendedMutex_defaultMode"),
            new Pair("SchedulerBench", "contendedSemaphore_schedulerOneCpu", "contendedSemaphore_defaultMode"),
            new Pair("SchedulerBench", "contendedSemaphore_schedulerTwoCpus", "contendedSemaphore_defaultMode"),
            new Pair("CheckpointBench", "checkpoint_inTask", "isInterrupted_inVthread"),
            new Pair("CheckpointBench", "checkpoint_inTask", "onSpinWait_inVthread"),
            new Pair("CheckpointBench", "checkpoint_inTask_schedulerOneCpu", "isInterrupted_inVthread"),
            new Pair("TimerBench", "armCancel_timerService", "scheduleCancel_scheduledThreadPool"),
            new Pair("ExecutorBench", "submitGet_taskExecutor_host", "submitGet_virtualExecutor_host"),
            new Pair("ExecutorShutdownBench", "shutdownNow_taskExecutor_mixedWaits",
                    "shutdownNow_virtualExecutor_mixedWaits"),
            // peers: Kotlin coroutines, in other classes of the same run, at equal parameters
            new Pair("SpawnBench", "spawnJoin_task_host", "KotlinSpawnBench", "launchJoin_coroutine_host"),
            new Pair("SpawnBench", "spawnJoin_task_inTask", "KotlinSpawnBench", "launchJoin_coroutine_inCoroutine"),
            new Pair("MassKillBench", "killGroup_mutex", "KotlinMassCancelBench", "cancelJoin_mutex"),
            new Pair("MassKillBench", "killGroup_semaphore", "KotlinMassCancelBench", "cancelJoin_semaphore"),
            new Pair("KotlinMassCancelBench", "cancelJoin_delay", "MassKillBench", "floor_flagUnparkExit_vthread"));

    /**
     * Peers measured outside JMH (Erlang, by {@code bench/peers.escript}), read from the file named by
     * {@code -Dtasklife.bench.peers}: lines {@code peer <peer> <metric> <params or -> <score> <unit>}, e.g.
     * {@code peer erlang killCrowd crowd=100000 812.5 ms/op}. Each is set beside the tasklife row of this run
     * with the same parameters and unit; {@code stat} picks the row's score, p50 or p99.
     */
    private record PeerPair(String peer, String metric, String classRegex, String tasklife, String stat) {}

    private static final List<PeerPair> PEER_PAIRS = List.of(
            new PeerPair("erlang", "spawnExit", "SpawnBench", "spawnJoin_task_inTask", "score"),
            new PeerPair("erlang", "spawnExit", "SpawnBench", "spawnJoin_task_host", "score"),
            new PeerPair("erlang", "killDown.p50", "KillLatencyBench", "kill_semaphore", "p50"),
            new PeerPair("erlang", "killDown.p99", "KillLatencyBench", "kill_semaphore", "p99"),
            new PeerPair("erlang", "killCrowd", "MassKillBench", "killGroup_semaphore", "score"),
            new PeerPair("erlang", "killCrowd", "MassKillBench", "killGroup_mutex", "score"));

    private static final Set<String> NON_RUN_OPTIONS = Set.of("-h", "-l", "-lp", "-lprof", "-lrf");

    /** One benchmark result, reduced to what the table needs. */
    private record Row(String cls, String method, String params, int threads, Mode mode, String unit, double score,
            double error, double p50, double p99) {
        String key() {
            return cls + "|" + params + "|" + threads;
        }

        String peerKey() {
            return params + "|" + threads;
        }
    }

    /** Runs JMH and prints the ratio table; help and list options go straight to JMH's own Main. */
    public static void main(String[] args) throws RunnerException, IOException {
        for (String a : args) {
            if (NON_RUN_OPTIONS.contains(a)) {
                org.openjdk.jmh.Main.main(args);
                return;
            }
        }
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        Collection<RunResult> results = new Runner(options).run();
        List<Row> rows = results.stream().map(Suite::row).collect(Collectors.toList());
        String table = table(rows);
        String peers = System.getProperty("tasklife.bench.peers");
        if (peers != null && Files.isReadable(Path.of(peers))) {
            table += peerTable(rows, Files.readAllLines(Path.of(peers)));
        }
        System.out.println();
        System.out.println("tasklife / baseline (same JMH run):");
        System.out.println(table);
        String file = System.getProperty("tasklife.bench.table");
        if (file != null) {
            Files.writeString(Path.of(file), table);
        }
    }

    private static Row row(RunResult r) {
        String full = r.getParams().getBenchmark();
        int dot = full.lastIndexOf('.');
        String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
        Map<String, String> params = new TreeMap<>();
        for (String k : r.getParams().getParamsKeys()) {
            params.put(k, r.getParams().getParam(k));
        }
        String p = params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        var primary = r.getPrimaryResult();
        Mode mode = r.getParams().getMode();
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (mode == Mode.SampleTime) {
            p50 = primary.getStatistics().getPercentile(50);
            p99 = primary.getStatistics().getPercentile(99);
        }
        // a single-shot row's score is the median of its shots, not JMH's mean: one shot that a full GC hits can
        // double a mean of three (crowd rows), while the median of three rejects it
        double score = mode == Mode.SingleShotTime ? primary.getStatistics().getPercentile(50) : primary.getScore();
        return new Row(cls, full.substring(dot + 1), p, r.getParams().getThreads(), mode, primary.getScoreUnit(),
                score, primary.getScoreError(), p50, p99);
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | vs baseline | params | threads | unit | better | tasklife | baseline | ratio t/b |\n");
        sb.append("| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: |\n");
        List<String> unpaired = new ArrayList<>();
        for (Row t : rows) {
            boolean paired = false;
            for (Pair pair : PAIRS) {
                if (!t.cls.matches(pair.classRegex) || !t.method.equals(pair.tasklife)) {
                    continue;
                }
                paired = true;
                Row b = rows.stream().filter(x -> pair.baselineOf(t, x)).findFirst().orElse(null);
                if (b == null) {
                    unpaired.add(t.cls + "." + t.method + " [" + t.params + "] (baseline " + pair.baseline + " not run)");
                    continue;
                }
                if (!Objects.equals(t.unit, b.unit) || t.mode != b.mode) {
                    unpaired.add(t.cls + "." + t.method + " (unit/mode differ from " + pair.baseline + ")");
                    continue;
                }
                String better = t.mode == Mode.Throughput ? "higher" : "lower";
                line(sb, t, b, t.cls + "." + t.method, t.mode.shortLabel(), better, t.score, b.score, t.error, b.error);
                if (t.mode == Mode.SampleTime) {
                    line(sb, t, b, t.cls + "." + t.method, "p50", better, t.p50, b.p50, Double.NaN, Double.NaN);
                    line(sb, t, b, t.cls + "." + t.method, "p99", better, t.p99, b.p99, Double.NaN, Double.NaN);
                }
            }
            if (!paired && PAIRS.stream().noneMatch(p -> p.isBaseline(t))) {
                unpaired.add(t.cls + "." + t.method + " (no pair defined)");
            }
        }
        for (String u : unpaired) {
            sb.append("\nnot paired: ").append(u);
        }
        return sb.append('\n').toString();
    }

    /**
     * The {@code tasklife / peer} table: each {@link #PEER_PAIRS} entry whose peer line and tasklife row are
     * both present, at equal parameters and unit. Peer lines that match no tasklife row are listed as such.
     */
    static String peerTable(List<Row> rows, List<String> peerLines) {
        StringBuilder sb = new StringBuilder("\ntasklife / peer (peers measured outside JMH, same bench/run):\n\n");
        sb.append("| benchmark | vs peer | params | unit | better | tasklife | peer | ratio t/p |\n");
        sb.append("| --- | --- | --- | --- | --- | ---: | ---: | ---: |\n");
        List<String> unpaired = new ArrayList<>();
        for (String l : peerLines) {
            String[] f = l.trim().split("\\s+");
            if (f.length != 6 || !f[0].equals("peer")) {
                continue;
            }
            String peer = f[1];
            String metric = f[2];
            String params = f[3].equals("-") ? "" : f[3];
            double score;
            try {
                score = Double.parseDouble(f[4]);
            } catch (NumberFormatException e) {
                unpaired.add(l + " (not a number)");
                continue;
            }
            String unit = f[5];
            boolean any = false;
            for (PeerPair pp : PEER_PAIRS) {
                if (!pp.peer.equals(peer) || !pp.metric.equals(metric)) {
                    continue;
                }
                for (Row t : rows) {
                    if (!t.cls.matches(pp.classRegex) || !t.method.equals(pp.tasklife) || !t.params.equals(params)
                            || !t.unit.equals(unit)) {
                        continue;
                    }
                    double ts = switch (pp.stat) {
                        case "p50" -> t.p50;
                        case "p99" -> t.p99;
                        default -> t.score;
                    };
                    if (Double.isNaN(ts)) {
                        continue;
                    }
                    any = true;
                    sb.append(String.format(Locale.ROOT, "| %s.%s | %s %s | %s | %s %s | lower | %s | %s | %.2f |%n", t.cls,
                            t.method, peer, metric, params, unit, pp.stat, num(ts, Double.NaN), num(score, Double.NaN),
                            ts / score));
                }
            }
            if (!any) {
                unpaired.add(peer + " " + metric + (params.isEmpty() ? "" : " [" + params + "]") + " = " + f[4] + " "
                        + unit + " (no tasklife row of this run to pair)");
            }
        }
        for (String u : unpaired) {
            sb.append("\npeer not paired: ").append(u);
        }
        return sb.append('\n').toString();
    }

    private static void line(StringBuilder sb, Row t, Row b, String name, String stat, String better, double ts,
            double bs, double te, double be) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s %s | %s | %s | %s | %.2f |%n", name,
                b.cls.equals(t.cls) ? b.method : b.cls + "." + b.method,
                t.params.isEmpty() ? "" : t.params, t.threads, t.unit, stat, better, num(ts, te), num(bs, be), ts / bs));
    }

    private static String num(double v, double err) {
        String s = String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 1 ? "%.2f" : "%.4f", v);
        return Double.isNaN(err) ? s : s + " ± " + String.format(Locale.ROOT, err >= 100 ? "%.0f" : err >= 1 ? "%.2f" : "%.4f", err);
    }
}
