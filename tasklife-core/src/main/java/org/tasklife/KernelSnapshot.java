package org.tasklife;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A moment's view of a kernel (SPEC §11): live tasks and the groups they form. Each row is read
 * without stopping the world, so rows may be from slightly different instants, but no row shows a
 * half-disposed task.
 *
 * @param tasks live tasks (NEW, RUNNING, BLOCKED or EXITING), by id
 * @param groups groups not yet reaped, by id (domain roots included)
 */
public record KernelSnapshot(List<TaskInfo> tasks, List<GroupInfo> groups) {
    /** Lists are copied. */
    public KernelSnapshot {
        tasks = List.copyOf(tasks);
        groups = List.copyOf(groups);
    }

    /** A {@code ps}-style table, one line per task, with a header. */
    public String renderTable() {
        StringBuilder sb = new StringBuilder(String.format("%6s %6s %6s %-10s %-20s %-10s %8s %8s %4s %s%n",
                "TID", "TGID", "PPID", "DOMAIN", "NAME", "STATE", "CPU(ms)", "AGE(ms)", "RES", "WCHAN"));
        for (TaskInfo t : tasks) {
            sb.append(String.format("%6d %6d %6d %-10s %-20s %-10s %8d %8d %4d %s%n", t.id(), t.groupId(),
                    t.parentGroupId(), clip(t.domain(), 10), clip(t.name(), 20),
                    t.state() + (t.killed() ? "!" : ""), t.cpuNanos() / 1_000_000, t.ageNanos() / 1_000_000,
                    t.ownedResources(), t.waitChannel()));
        }
        return sb.toString();
    }

    /** A tree: groups under their parents, each group's tasks under it. */
    public String renderTree() {
        Map<Long, List<GroupInfo>> children = new TreeMap<>();
        Map<Long, List<TaskInfo>> tasksByGroup = new TreeMap<>();
        for (GroupInfo g : groups) {
            children.computeIfAbsent(g.parentId(), k -> new ArrayList<>()).add(g);
        }
        for (TaskInfo t : tasks) {
            tasksByGroup.computeIfAbsent(t.groupId(), k -> new ArrayList<>()).add(t);
        }
        StringBuilder sb = new StringBuilder();
        List<GroupInfo> roots = new ArrayList<>(children.getOrDefault(0L, List.of()));
        roots.sort(Comparator.comparingLong(GroupInfo::id));
        for (GroupInfo r : roots) {
            renderGroup(sb, r, "", children, tasksByGroup);
        }
        return sb.toString();
    }

    private static void renderGroup(StringBuilder sb, GroupInfo g, String indent, Map<Long, List<GroupInfo>> children,
            Map<Long, List<TaskInfo>> tasksByGroup) {
        sb.append(indent).append(g.parentId() == 0 ? "domain " : "group ").append(g.id()).append(' ').append(g.name())
                .append(" [").append(g.state()).append(g.status().map(s -> " " + s).orElse("")).append("]\n");
        for (TaskInfo t : tasksByGroup.getOrDefault(g.id(), List.of())) {
            sb.append(indent).append("  task ").append(t.id()).append(' ').append(t.name()).append(" [")
                    .append(t.state()).append(t.killed() ? ", killed" : "")
                    .append(t.waitChannel().isEmpty() ? "" : ", " + t.waitChannel()).append("]\n");
        }
        for (GroupInfo c : children.getOrDefault(g.id(), List.of())) {
            renderGroup(sb, c, indent + "  ", children, tasksByGroup);
        }
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}
