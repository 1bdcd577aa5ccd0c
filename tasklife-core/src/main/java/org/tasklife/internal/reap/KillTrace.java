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
     * the one the kill ends); killed() hands a begun event to Trace, which closes the race with the victim's exit
     * (see Trace.taskKilled). A kill hands each victim's event over after its flag and just before its wake, so
     * the victim finds it at its exit and commits it on its own thread: the killer, which runs a whole batch alone,
     * commits only the events of victims that had ended already (KT3).
     *
     * Invariants:
     *  KT1 begun.get(i) belongs to the i-th victim passed to before(), which is the i-th task killed() gets.
     *  KT2 a kill renders each wait channel object once: the victims of a batch queued on one primitive share
     *      its channel, whose text is taken when the first of them is flagged (no string per victim, and one
     *      string object that JFR's string pool writes once).
     *  KT3 victim i gets killed(i, ...) after its flag and before its wake (KillBatch).
     */

    private static final KillReason[] REASONS = KillReason.values();

    private final String kernel;
    private final long killerTaskId;
    private final String killerName;
    private final String reason;
    private final List<Object> begun = new ArrayList<>(); // KT1; the killer's only
    private Object lastChannel;                          // KT2: the last channel rendered, and its text
    private String lastText;

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
        Object channel = t.waitChannel();
        if (channel != lastChannel || lastText == null) { // KT2
            lastChannel = channel;
            lastText = channel == null ? "" : channel.toString();
        }
        begun.add(Trace.beforeKill(lastText));
    }

    /**
     * Hands the begun event of {@code t}, the {@code i}-th task given to {@link #before} (KT1), to Trace; a kill
     * calls it just before it wakes {@code t} (KT3).
     *
     * @param batchSize how many tasks the kill killed
     */
    void killed(int i, TaskControlBlock t, int batchSize) {
        Trace.taskKilled(kernel, t, t.id(), t.name(), t.owner().ownerId(), begun.get(i), killerTaskId, killerName,
                reason, batchSize, t::isTerminated);
    }
}
