package org.tasklife.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tasklife.DomainInfo;
import org.tasklife.GroupInfo;
import org.tasklife.KernelSnapshot;
import org.tasklife.TaskInfo;

/** Resolves the argument of {@code kill} and {@code stop}: an id, or a name that must be unambiguous. */
final class Names {
    private Names() {}

    /** What {@code kill} acts on: a whole group ({@code group}), or one task. */
    record KillTarget(boolean group, long id) {}

    /**
     * The task or group {@code arg} names in {@code snap}: a number is an id, taken as is (a task's, or a group's
     * when {@code groupId}); otherwise the one live group or task with that name (a group and its main task of the
     * same name are one candidate: the group).
     *
     * @throws CliException (exit 1) naming the candidates when the name is unknown or ambiguous
     */
    static KillTarget killTarget(String arg, boolean groupId, KernelSnapshot snap, String kernel) {
        if (isId(arg)) {
            return new KillTarget(groupId, Long.parseLong(arg));
        }
        Set<Long> ids = new LinkedHashSet<>();
        Set<Long> groups = new LinkedHashSet<>();
        List<String> candidates = new ArrayList<>();
        for (GroupInfo g : snap.groups()) {
            if (g.name().equals(arg) && ids.add(g.id())) {
                groups.add(g.id());
                candidates.add("group " + g.id() + " in domain " + g.domain());
            }
        }
        for (TaskInfo t : snap.tasks()) {
            if (t.name().equals(arg) && ids.add(t.id())) {
                candidates.add("task " + t.id() + " in domain " + t.domain());
            }
        }
        long id = one(ids, candidates, "task or group", arg, kernel);
        return new KillTarget(groups.contains(id), id);
    }

    /**
     * The domain {@code arg} names in {@code snap}: a number is an id, taken as is; otherwise the one domain
     * with that name.
     *
     * @throws CliException (exit 1) naming the candidates when the name is unknown or ambiguous
     */
    static long domain(String arg, KernelSnapshot snap, String kernel) {
        if (isId(arg)) {
            return Long.parseLong(arg);
        }
        Set<Long> ids = new LinkedHashSet<>();
        List<String> candidates = new ArrayList<>();
        for (DomainInfo d : snap.domains()) {
            if (d.name().equals(arg) && ids.add(d.id())) {
                candidates.add("domain " + d.id() + " [" + d.state() + "]");
            }
        }
        return one(ids, candidates, "domain", arg, kernel);
    }

    static boolean isId(String arg) {
        return !arg.isEmpty() && arg.chars().allMatch(Character::isDigit) && arg.length() < 19;
    }

    private static long one(Set<Long> ids, List<String> candidates, String what, String arg, String kernel) {
        if (ids.size() == 1) {
            return ids.iterator().next();
        }
        if (ids.isEmpty()) {
            throw new CliException("kernel " + kernel + " has no " + what + " named '" + arg + "'");
        }
        throw new CliException("'" + arg + "' is ambiguous in kernel " + kernel + ": " + String.join(", ", candidates)
                + "; give the id");
    }
}
