package org.tasklife;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.wait.HostWaiter;
import org.tasklife.internal.wait.Waiter;

/**
 * A domain: a tree of task groups under one root (SPEC §10). The root has no tasks; it is the parent
 * of top-level groups, which host code reaps through {@link #waitChild}, and it adopts and reaps
 * orphans itself (SPEC R4). Nested domains, stop and limits come with the domains work; a kernel has
 * one root domain for now.
 */
public final class Domain {
    private final GroupControlBlock root;

    Domain(GroupControlBlock root) {
        this.root = root;
    }

    /** The domain's name. */
    public String name() {
        return root.name();
    }

    /** The id of the domain's root (the parent id of its top-level groups). */
    public long rootId() {
        return root.id();
    }

    /** Spawns a top-level group of this domain, whatever the caller (SPEC P1). */
    public TaskGroup spawnGroup(String name, GroupMain main) {
        return spawnGroup(SpawnOptions.named(name), main);
    }

    /** Spawns a top-level group with options. @see #spawnGroup(String, GroupMain) */
    public TaskGroup spawnGroup(SpawnOptions options, GroupMain main) {
        return Kernel.spawnGroupUnder(root, options, main);
    }

    /** Top-level groups not yet reaped, by id. */
    public List<TaskGroup> groups() {
        List<TaskGroup> out = new ArrayList<>();
        for (var g : root.core().snapshot().groups()) {
            if (g.parentId() == root.id()) {
                GroupControlBlock gcb = root.core().findGroup(g.id());
                if (gcb != null) {
                    out.add(new TaskGroup(gcb));
                }
            }
        }
        return out;
    }

    /**
     * Waits for a top-level group of this domain to end and reaps it (SPEC W1–W6 for the root):
     * {@code NO_HANG} returns empty while matching groups live; {@code NO_REAP} reports without reaping.
     *
     * @throws NoChildException if no top-level group matches
     */
    public Optional<ChildExit> waitChild(ChildSelector selector, WaitOption... options) {
        java.util.Objects.requireNonNull(selector, "selector");
        KernelCore core = root.core();
        TaskControlBlock caller = TaskControlBlock.current();
        Waiter waiter = caller == null ? HostWaiter.INSTANCE : caller;
        return core.waitChild(root, selector, Kernel.has(options, WaitOption.NO_HANG),
                Kernel.has(options, WaitOption.NO_REAP), waiter, caller);
    }

    @Override
    public String toString() {
        return "Domain[" + root.name() + "]";
    }
}
