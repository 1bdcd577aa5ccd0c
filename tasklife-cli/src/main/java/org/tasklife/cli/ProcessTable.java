package org.tasklife.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tasklife.KernelSnapshot;
import org.tasklife.TaskInfo;
import org.tasklife.management.KernelView;

/**
 * The process table of a {@link KernelView}: the library's own ({@link KernelSnapshot#renderTable()}), so
 * {@code ps}, {@code top}, the MXBean and a program printing a snapshot show one format; this class only
 * colors it, limits its rows, and for {@code top} puts a CPU% column in front.
 */
final class ProcessTable {
    private ProcessTable() {}

    /** The one-line summary of a kernel's counters. */
    static String summary(KernelView v, Style s) {
        KernelSnapshot snap = v.snapshot();
        return s.bold("kernel " + v.kernel() + "#" + v.instanceId()) + "  " + v.liveTasks() + " live tasks, "
                + snap.groups().stream().filter(g -> g.parentId() != 0).count() + " groups, " + snap.domains().size()
                + " domains, " + v.openResources() + " open resources, " + v.pendingTimers() + " timers armed, "
                + v.queuedWaitersInJvm() + " queued waiters (JVM), " + v.stuckTasks() + " stuck";
    }

    /**
     * The table of {@code tasks} (in their order): the header, then one line per task, at most {@code limit},
     * then a "... n more" line.
     *
     * @param snapshot the snapshot the tasks come from (its groups and domains)
     * @param cpuPercent CPU use per task id since the previous view (top), or {@code null} (ps)
     */
    static String render(KernelSnapshot snapshot, List<TaskInfo> tasks, int limit, Style s,
            Map<Long, Double> cpuPercent) {
        List<TaskInfo> shown = tasks.size() <= limit ? tasks : tasks.subList(0, limit);
        List<String> lines = new KernelSnapshot(shown, snapshot.groups(), snapshot.domains()).renderTable().lines()
                .toList();
        StringBuilder sb = new StringBuilder();
        sb.append(s.dim((cpuPercent == null ? "" : "  CPU% ") + lines.get(0))).append('\n');
        for (int i = 0; i < shown.size(); i++) {
            TaskInfo t = shown.get(i);
            String line = (cpuPercent == null ? ""
                    : String.format(Locale.ROOT, "%6.1f ", cpuPercent.getOrDefault(t.id(), 0.0))) + lines.get(i + 1);
            sb.append(switch (t.state()) {
                case RUNNING -> s.green(line);
                case BLOCKED -> t.killed() ? s.red(line) : s.yellow(line);
                default -> s.dim(line);
            }).append('\n');
        }
        if (shown.size() < tasks.size()) {
            sb.append(s.dim("... " + (tasks.size() - shown.size()) + " more")).append('\n');
        }
        return sb.toString();
    }

    /** Every task of the view, in the library's order (by id). */
    static String render(KernelView v, Style s) {
        return render(v.snapshot(), v.snapshot().tasks(), Integer.MAX_VALUE, s, null);
    }

    /** Tasks by CPU use, highest first (top). */
    static List<TaskInfo> byCpu(List<TaskInfo> tasks, Map<Long, Double> cpuPercent) {
        List<TaskInfo> sorted = new ArrayList<>(tasks);
        sorted.sort(Comparator.<TaskInfo>comparingDouble(t -> -cpuPercent.getOrDefault(t.id(), 0.0))
                .thenComparingLong(t -> -t.cpuNanos()).thenComparingLong(TaskInfo::id));
        return sorted;
    }
}
