package org.tasklife;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A moment's view of a kernel (docs/contract.md, §11): live tasks, the groups they form, and the domains those
 * groups belong to. Each row is read without stopping the world, so rows may be from slightly different
 * instants, but no row shows a half-disposed task.
 *
 * @param tasks live tasks (NEW, RUNNING, BLOCKED or EXITING), by id
 * @param groups groups not yet reaped, by id (domain roots included)
 * @param domains domains not yet freed, by id; a domain's {@link DomainInfo#parentId()} tells where it
 *     nests. A snapshot taken from a task lists its own domain and those below it only (docs/contract.md, D5), so its
 *     top domain's parent is not listed
 */
public record KernelSnapshot(List<TaskInfo> tasks, List<GroupInfo> groups, List<DomainInfo> domains) {
    /** Lists are copied. */
    public KernelSnapshot {
        tasks = List.copyOf(tasks);
        groups = List.copyOf(groups);
        domains = List.copyOf(domains);
    }

    /**
     * A snapshot without domain rows ({@link #domains()} is empty), as made before they were recorded:
     * {@link #renderTree()} then shows every domain root at the top level, with its group state.
     *
     * @param tasks live tasks, by id
     * @param groups groups not yet reaped, by id (domain roots included)
     */
    public KernelSnapshot(List<TaskInfo> tasks, List<GroupInfo> groups) {
        this(tasks, groups, List.of());
    }

    /**
     * The process table, {@code ps}-style: a header line, then one line per task in the order of
     * {@link #tasks()}. Its columns: {@code TID} (the task's id), {@code TGID} (its group's),
     * {@code PPID} (the group's parent group's), {@code DOMAIN} and {@code NAME} (clipped to 10 and 18
     * characters, a clipped one ending in {@code ~}), {@code STATE} (followed by {@code !} once the task was
     * killed), {@code CPU} and {@code AGE} (its CPU time and the time since it was spawned, as
     * {@code 850ms}, {@code 12.3s}, {@code 4m05s} or {@code 2h17m}; for a virtual thread the CPU time is an estimate,
     * see {@link CpuTimes}), {@code RES} (owned resources still
     * open) and {@code WCHAN} (its wait channel, in full). The kernel's MXBean
     * ({@link org.tasklife.management.KernelMXBean#getProcessTable()}) and the {@code tasklife ps} and
     * {@code top} commands print this same table.
     *
     * <pre>
     *     TID    TGID    PPID DOMAIN     NAME               STATE          CPU      AGE  RES  WCHAN
     *       4       4       1 root       web                BLOCKED        2ms     1.2s    0  sleep(3598 ms left)
     * </pre>
     *
     * @return the table, one line per task after the header, each ending in a line separator
     */
    public String renderTable() {
        StringBuilder sb = new StringBuilder(tableLine("TID", "TGID", "PPID", "DOMAIN", "NAME", "STATE", "CPU",
                "AGE", "RES", "WCHAN"));
        for (TaskInfo t : tasks) {
            sb.append(tableLine(Long.toString(t.id()), Long.toString(t.groupId()), Long.toString(t.parentGroupId()),
                    clip(t.domain(), 10), clip(t.name(), 18), t.state() + (t.killed() ? "!" : ""),
                    duration(t.cpuNanos()), duration(t.ageNanos()), Integer.toString(t.ownedResources()),
                    t.waitChannel()));
        }
        return sb.toString();
    }

    private static String tableLine(String tid, String tgid, String ppid, String domain, String name, String state,
            String cpu, String age, String res, String wchan) {
        return String.format(Locale.ROOT, "%7s %7s %7s %-10s %-18s %-9s %8s %8s %4s  %s", tid, tgid, ppid, domain,
                name, state, cpu, age, res, wchan).stripTrailing() + System.lineSeparator();
    }

    /** A duration in the table's units: {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 2h17m}. */
    static String duration(long nanos) {
        long ms = Math.max(0, nanos) / 1_000_000;
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /**
     * A tree, two spaces of indent per level: each domain with its state, then its top-level groups, then
     * the domains nested in it; each group with its state, then its tasks, then its child groups; siblings
     * by id. Example (a root domain with one group, and a nested domain "batch" with one group):
     * <pre>
     * domain 1 root [RUNNING]
     *   group 2 web [ALIVE]
     *     task 2 web [BLOCKED, sleep(3599998 ms left)]
     *   domain 3 batch [RUNNING]
     *     group 4 job [ALIVE]
     *       task 4 job [RUNNING]
     * </pre>
     * A domain whose parent is not in the snapshot (the root domain, or the caller's domain in a snapshot
     * taken from a task) is drawn at the top level. Trees of any depth render (without recursion); below
     * 32 levels the indentation stops growing and each line starts with {@code (level N)} instead, so the
     * text stays proportional to the number of rows.
     *
     * @return the tree, one line per domain, group and task
     */
    public String renderTree() {
        Map<Long, DomainInfo> domainById = new HashMap<>();
        for (DomainInfo d : domains) {
            domainById.put(d.id(), d);
        }
        Set<Long> domainRoots = new HashSet<>();
        for (GroupInfo g : groups) {
            if (g.parentId() == 0) {
                domainRoots.add(g.id());
            }
        }
        Map<Long, List<GroupInfo>> children = new HashMap<>(); // by parent group; a domain's by its parent domain
        List<GroupInfo> top = new ArrayList<>();
        for (GroupInfo g : groups) {
            if (g.parentId() != 0) {
                children.computeIfAbsent(g.parentId(), k -> new ArrayList<>()).add(g);
            } else {
                DomainInfo d = domainById.get(g.id());
                if (d != null && domainRoots.contains(d.parentId())) {
                    children.computeIfAbsent(d.parentId(), k -> new ArrayList<>()).add(g);
                } else {
                    top.add(g);
                }
            }
        }
        Map<Long, List<TaskInfo>> tasksByGroup = new HashMap<>();
        for (TaskInfo t : tasks) {
            tasksByGroup.computeIfAbsent(t.groupId(), k -> new ArrayList<>()).add(t);
        }
        // groups before nested domains (a domain root has no tasks, so only its children mix), each by id
        Comparator<GroupInfo> order = Comparator.<GroupInfo>comparingInt(g -> g.parentId() == 0 ? 1 : 0)
                .thenComparingLong(GroupInfo::id);
        children.values().forEach(l -> l.sort(order));
        tasksByGroup.values().forEach(l -> l.sort(Comparator.comparingLong(TaskInfo::id)));
        top.sort(order);
        // depth first with an explicit stack, not recursion: a tenant's chain of thousands of nested groups
        // must not overflow the operator's thread
        StringBuilder sb = new StringBuilder();
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {GroupInfo, depth}
        for (int i = top.size() - 1; i >= 0; i--) {
            stack.push(new Object[] {top.get(i), 0});
        }
        while (!stack.isEmpty()) {
            Object[] next = stack.pop();
            GroupInfo g = (GroupInfo) next[0];
            int depth = (Integer) next[1];
            String indent = depth <= MAX_INDENT_LEVELS ? "  ".repeat(depth)
                    : "  ".repeat(MAX_INDENT_LEVELS) + "(level " + depth + ") ";
            renderGroup(sb, g, indent, tasksByGroup, domainById);
            List<GroupInfo> kids = children.getOrDefault(g.id(), List.of());
            for (int i = kids.size() - 1; i >= 0; i--) {
                stack.push(new Object[] {kids.get(i), depth + 1});
            }
        }
        return sb.toString();
    }

    /** One group's line and its tasks' lines; its children are drawn by the caller. */
    private static void renderGroup(StringBuilder sb, GroupInfo g, String indent,
            Map<Long, List<TaskInfo>> tasksByGroup, Map<Long, DomainInfo> domainById) {
        DomainInfo d = g.parentId() == 0 ? domainById.get(g.id()) : null;
        sb.append(indent).append(g.parentId() == 0 ? "domain " : "group ").append(g.id()).append(' ').append(g.name())
                .append(" [");
        if (d != null) {
            sb.append(d.state()).append(d.status().isEmpty() ? "" : " " + d.status());
        } else {
            sb.append(g.state()).append(g.status().isEmpty() ? "" : " " + g.status());
        }
        sb.append("]\n");
        for (TaskInfo t : tasksByGroup.getOrDefault(g.id(), List.of())) {
            sb.append(indent).append("  task ").append(t.id()).append(' ').append(t.name()).append(" [")
                    .append(t.state()).append(t.killed() ? ", killed" : "")
                    .append(t.waitChannel().isEmpty() ? "" : ", " + t.waitChannel()).append("]\n");
        }
    }

    /** Levels indented by spaces; deeper lines carry their level number instead of more indentation. */
    private static final int MAX_INDENT_LEVELS = 32;

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}
