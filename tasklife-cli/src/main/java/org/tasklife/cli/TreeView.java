package org.tasklife.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tasklife.DomainInfo;
import org.tasklife.GroupInfo;
import org.tasklife.TaskInfo;
import org.tasklife.management.KernelView;

/** Renders a {@link KernelView} as a tree: domains, then their groups (nested by parent), then tasks. */
final class TreeView {
    private final Style s;
    private final Map<Long, List<DomainInfo>> subdomains = new LinkedHashMap<>();
    private final Map<Long, List<GroupInfo>> childGroups = new LinkedHashMap<>();
    private final Map<Long, List<TaskInfo>> tasksOf = new LinkedHashMap<>();
    private final StringBuilder sb = new StringBuilder();

    private TreeView(KernelView view, Style s) {
        this.s = s;
        for (DomainInfo d : view.snapshot().domains()) {
            subdomains.computeIfAbsent(d.parentId(), k -> new ArrayList<>()).add(d);
        }
        for (GroupInfo g : view.snapshot().groups()) {
            if (g.parentId() != 0) { // domain roots are drawn as their domain
                childGroups.computeIfAbsent(g.parentId(), k -> new ArrayList<>()).add(g);
            }
        }
        for (TaskInfo t : view.snapshot().tasks()) {
            tasksOf.computeIfAbsent(t.groupId(), k -> new ArrayList<>()).add(t);
        }
    }

    /** The tree of one kernel, headed by its summary line. */
    static String render(KernelView view, Style s) {
        TreeView t = new TreeView(view, s);
        t.sb.append(ProcessTable.summary(view, s)).append('\n');
        for (DomainInfo root : t.subdomains.getOrDefault(0L, List.of())) {
            t.domain(root, "", "");
        }
        return t.sb.toString();
    }

    private void domain(DomainInfo d, String lead, String indent) {
        sb.append(lead).append(s.cyan(s.bold("domain " + d.id() + " " + d.name()))).append(s.dim(" [" + d.state()
                + (d.status().isEmpty() ? "" : " " + d.status()) + ", " + d.liveTasks() + " live tasks"
                + (d.maxTasks() == Long.MAX_VALUE ? "" : " of max " + d.maxTasks()) + "]")).append('\n');
        List<Object> children = new ArrayList<>(childGroups.getOrDefault(d.id(), List.of()));
        children.addAll(subdomains.getOrDefault(d.id(), List.of()));
        children(children, indent);
    }

    private void group(GroupInfo g, String lead, String indent) {
        sb.append(lead).append(s.bold("group " + g.id() + " " + g.name())).append(s.dim(" [" + g.state()
                + (g.status().isEmpty() ? "" : " " + g.status()) + "]")).append('\n');
        List<Object> children = new ArrayList<>(tasksOf.getOrDefault(g.id(), List.of()));
        children.addAll(childGroups.getOrDefault(g.id(), List.of()));
        children(children, indent);
    }

    private void children(List<Object> children, String indent) {
        for (int i = 0; i < children.size(); i++) {
            boolean last = i == children.size() - 1;
            String lead = indent + (last ? "└─ " : "├─ ");
            String next = indent + (last ? "   " : "│  ");
            switch (children.get(i)) {
                case DomainInfo d -> domain(d, lead, next);
                case GroupInfo g -> group(g, lead, next);
                case TaskInfo t -> sb.append(lead).append("task ").append(t.id()).append(' ').append(t.name())
                        .append(s.dim(" [" + t.state() + (t.killed() ? ", killed" : "")
                                + (t.waitChannel().isEmpty() ? "" : " in " + t.waitChannel()) + "]"))
                        .append('\n');
                default -> throw new IllegalStateException("unexpected tree node " + children.get(i));
            }
        }
    }
}
