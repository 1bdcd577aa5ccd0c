package org.tasklife.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.tasklife.management.KernelView;
import org.tasklife.management.TaskRow;

/** Renders the live tasks of a {@link KernelView} as a {@code ps}-style table. */
final class ProcessTable {
    private static final String ROW = "%7s %7s %7s %-10s %-18s %-9s %8s %8s %3s  %s";

    private ProcessTable() {}

    /** The one-line summary of a kernel's counters. */
    static String summary(KernelView v, Style s) {
        return s.bold("kernel " + v.kernel() + "#" + v.instanceId()) + "  " + v.liveTasks() + " live tasks, "
                + v.groups().stream().filter(g -> g.parentId() != 0).count() + " groups, " + (v.domains().size())
                + " domains, " + v.openResources() + " open resources, " + v.pendingTimers() + " timers armed, "
                + v.queuedWaitersInJvm() + " queued waiters (JVM), " + v.stuckTasks() + " stuck";
    }

    /**
     * The table: a header, then one line per task (at most {@code limit}, then a "... n more" line).
     *
     * @param cpuPercent CPU use per task id since the previous view (top), or {@code null} (ps)
     */
    static String render(List<TaskRow> tasks, int limit, Style s, Map<Long, Double> cpuPercent) {
        StringBuilder sb = new StringBuilder();
        sb.append(s.dim(String.format(ROW, "TID", "GROUP", "PARENT", "DOMAIN", "NAME", "STATE",
                cpuPercent == null ? "CPU(ms)" : "CPU%", "AGE", "RES", "WCHAN"))).append('\n');
        int n = 0;
        for (TaskRow t : tasks) {
            if (n++ == limit) {
                sb.append(s.dim("... " + (tasks.size() - limit) + " more")).append('\n');
                break;
            }
            String state = t.state() + (t.killed() ? "!" : "");
            String styled = switch (t.state()) {
                case "RUNNING" -> s.green(pad(state, 9));
                case "BLOCKED" -> t.killed() ? s.red(pad(state, 9)) : s.yellow(pad(state, 9));
                default -> s.dim(pad(state, 9));
            };
            String cpu = cpuPercent == null ? Long.toString(t.cpuNanos() / 1_000_000)
                    : String.format("%.1f", cpuPercent.getOrDefault(t.id(), 0.0));
            sb.append(String.format("%7s %7s %7s %-10s %-18s ", t.id(), t.groupId(), t.parentGroupId(),
                    clip(t.domain(), 10), clip(t.name(), 18))).append(styled)
                    .append(String.format(" %8s %8s %3s  %s", cpu, age(t.ageNanos()), t.ownedResources(), t.waitChannel()))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Tasks by CPU use, highest first (top). */
    static Comparator<TaskRow> byCpu(Map<Long, Double> cpuPercent) {
        return Comparator.<TaskRow>comparingDouble(t -> -cpuPercent.getOrDefault(t.id(), 0.0))
                .thenComparingLong(t -> -t.cpuNanos()).thenComparingLong(TaskRow::id);
    }

    /** A short age: {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 2h17m}. */
    static String age(long nanos) {
        long ms = nanos / 1_000_000;
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format("%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static String pad(String s, int n) {
        return String.format("%-" + n + "s", s);
    }
}
