package org.tasklife.internal.task;

import org.tasklife.internal.wait.Blocker;

/**
 * What a task belongs to (its group). The task layer only keeps the reference; the group layer above
 * it gives it meaning, so the task never calls up into its group (DESIGN "The house").
 */
public interface TaskOwner {
    /** The owner's id (the TGID). */
    long ownerId();

    /**
     * The opaque token of the authority the owner's code acts with (its domain, as the group layer defines
     * it). Threads a task creates inherit it, and callbacks run with it (see TaskControlBlock's notes).
     */
    Object authorityToken();

    /** The blocker of the owner's kernel: every wait of the owner's tasks parks through it (WaitContext). */
    Blocker blocker();

    /**
     * A safe point of {@code self}, a task of this owner running on the calling thread: in scheduler mode it
     * may be switched out here.
     */
    void safePoint(TaskControlBlock self);

    /**
     * {@code t}, a task of this owner whose thread was handed out unstarted (TaskControlBlock H1), was killed
     * before that thread started: its thread may never start, so the owner ends it (retireUnstarted) off the
     * killer's thread. Called by the killer, once; must not block.
     */
    default void handedOutKilledBeforeStart(TaskControlBlock t) {
        // owners that hand out no unstarted threads have nothing to do
    }

    /**
     * The first thing on {@code t}'s own thread, just started (a task of this owner): in scheduler mode waits for
     * a CPU; then claims the start ({@link TaskControlBlock#start()}).
     *
     * @return whether the body may run (false: killed before it started; the exit sequence still follows)
     * @throws UnsupportedOperationException from owners whose tasks never run (tests of the record alone)
     */
    default boolean enterTask(TaskControlBlock t) {
        throw new UnsupportedOperationException("owner " + ownerId() + " runs no tasks");
    }

    /**
     * The last thing on {@code t}'s own thread, after its body returned {@code result} or threw {@code failure}
     * (or did not run): its exit sequence, then, in scheduler mode, its CPU given up. The record is its thread's
     * Runnable ({@link TaskControlBlock#run()}) and calls the body itself between {@link #enterTask} and this, so
     * that no separate start object is kept per task and a parked task's stack has no kernel frames below its
     * body but the record's own.
     *
     * @throws UnsupportedOperationException from owners whose tasks never run (tests of the record alone)
     */
    default void exitTask(TaskControlBlock t, Object result, Throwable failure) {
        throw new UnsupportedOperationException("owner " + ownerId() + " runs no tasks");
    }
}
