package org.tasklife.internal.reap;

import java.util.ArrayList;
import java.util.List;
import org.tasklife.KillReason;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.trace.Trace;

/**
 * The killer's side of the TaskKill events of one kill (one task or a batch): who kills, why, and each
 * victim's begun event. Made only while a recording enables the event; otherwise a kill holds {@code null}
 * and pays the one check of {@link #begin}.
 */
final class KillTrace {
    /*
     * Implementation notes
     *
     * Overview: begin() runs on the killer's thread, so the killer is the task running there (its id and
     * name) or, outside tasks, 0 and the thread's name (a host thread, the kernel's timer for a deadline or
     * an expired grace). before() begins one victim's event before its wake (the wait channel it records is
     * the one the kill ends); killed() hands each begun event to Trace after the batch woke and armed, which
     * closes the race with the victim's exit (see Trace.taskKilled).
     *
     * Invariants:
     *  KT1 begun.get(i) belongs to the i-th victim passed to before(), which is the i-th task killed() gets.
     */

    private static final KillReason[] REASONS = KillReason.values();

    private final String kernel;
    private final long killerTaskId;
    private final String killerName;
    private final String reason;
    private final List<Object> begun = new ArrayList<>(); // KT1; the killer's only

    private KillTrace(String kernel, int reason) {
        this.kernel = kernel;
        TaskControlBlock self = TaskControlBlock.current();
        this.killerTaskId = self == null ? 0 : self.id();
        this.killerName = self == null ? Thread.currentThread().getName() : self.name();
        this.reason = REASONS[reason].name();
    }

    /**
     * {@return the trace of a kill about to happen on this thread, or {@code null} while no recording enables
     * the kill event (one enabled-flag check)}
     *
     * @param reason the kill's KillReason ordinal
     */
    static KillTrace begin(Reaper reaper, int reason) {
        return Trace.isKillTraced() ? new KillTrace(reaper.kernelName(), reason) : null;
    }

    /** Begins the event of {@code t}, flagged or about to be, not woken yet. */
    void before(TaskControlBlock t) {
        begun.add(Trace.beforeKill(t.waitChannel()));
    }

    /** Hands every begun event to Trace: {@code victims} are the tasks given to {@link #before}, in order (KT1). */
    void killed(List<TaskControlBlock> victims) {
        int n = victims.size();
        for (int i = 0; i < n; i++) {
            TaskControlBlock t = victims.get(i);
            Trace.taskKilled(kernel, t, t.id(), t.name(), t.owner().ownerId(), begun.get(i), killerTaskId, killerName,
                    reason, n, t::isTerminated);
        }
    }
}
