package org.tasklife.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.tasklife.TaskInfo;
import org.tasklife.management.KernelView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tasklife top}: a refreshing table of the tasks of a JVM, busiest first. */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Show the tasks of the tasklife kernels in a running JVM, refreshed, busiest first (Ctrl-C ends).",
        footer = {"", "CPU is exact for a task on a platform thread. A virtual thread has no CPU clock in the JVM: its CPU is the time "
                + "between tasklife waits, an estimate that also counts time blocked outside tasklife (Thread.sleep, JDK I/O) "
                + "and time waiting for a carrier."})
final class TopCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = {"-d", "--delay"}, defaultValue = "1000", paramLabel = "MS",
            description = "Milliseconds between refreshes (default ${DEFAULT-VALUE}).")
    long delayMillis;

    @Option(names = {"-n", "--iterations"}, defaultValue = "0", paramLabel = "N",
            description = "Stop after N refreshes (default: until interrupted).")
    int iterations;

    @Option(names = "--rows", defaultValue = "25", description = "Tasks shown per kernel (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--no-color", description = "Plain text, no ANSI colors, no screen clearing.")
    boolean noColor;

    @Override
    public Integer call() throws InterruptedException {
        if (delayMillis < 10) {
            throw CliException.usage("--delay must be at least 10 ms, was " + delayMillis);
        }
        PrintWriter out = spec.commandLine().getOut();
        Style s = Style.choose(noColor);
        Map<Long, Long> lastCpu = new HashMap<>();
        long lastAt = 0;
        try (JvmConnection jvm = target.open()) {
            for (int i = 0; iterations <= 0 || i < iterations; i++) {
                if (i > 0) {
                    TimeUnit.MILLISECONDS.sleep(delayMillis); // the refresh period of a display, not a synchronisation
                }
                List<KernelView> views = new ArrayList<>();
                for (KernelRef k : target.select(jvm)) {
                    views.add(k.snapshot());
                }
                long now = System.nanoTime();
                Map<Long, Double> pct = new HashMap<>();
                Map<Long, Long> cpu = new HashMap<>();
                for (KernelView v : views) {
                    for (TaskInfo t : v.snapshot().tasks()) {
                        Long before = lastCpu.get(t.id());
                        cpu.put(t.id(), t.cpuNanos());
                        if (before != null && lastAt != 0) {
                            pct.put(t.id(), 100.0 * (t.cpuNanos() - before) / Math.max(1, now - lastAt));
                        }
                    }
                }
                lastCpu = cpu;
                lastAt = now;
                StringBuilder frame = new StringBuilder();
                if (s.isOn()) {
                    frame.append("\u001b[H\u001b[2J");
                } else if (i > 0) {
                    frame.append('\n');
                }
                frame.append(s.dim("tasklife top — JVM " + jvm.pid() + ", refresh " + (i + 1) + ", every " + delayMillis
                        + " ms")).append('\n');
                for (KernelView v : views) {
                    List<TaskInfo> sorted = ProcessTable.byCpu(v.snapshot().tasks(), pct);
                    frame.append(ProcessTable.summary(v, s)).append('\n');
                    frame.append(ProcessTable.render(v.snapshot(), sorted, rows, s, pct));
                }
                out.print(frame);
                out.flush();
            }
        }
        return 0;
    }
}
