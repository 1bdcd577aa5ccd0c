package org.tasklife.internal.reap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.tasklife.internal.task.ExitWatch;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Timeout;

/**
 * One kill of one or many tasks, and its one grace period (SPEC K8): a task kill, a group kill or
 * exitGroup, a domain stop, and the watch of a task whose own exit sequence runs user code. It sets every
 * member's KILLED flag, then wakes each, then arms one grace timer for all of them; the timer is cancelled
 * when the last member has published its status, and if it fires first the reaper checks each member that
 * has not (stuck report, force-close, death watches).
 */
public final class KillBatch implements ExitWatch {
    /*
     * Implementation notes
     *
     * Overview: the killer's side of DESIGN "Kill, step by step", for any number of victims. Flags first,
     * all of them, before any wake (KB1); then the wakes, O(1) each (DESIGN I4); then the timer. One timer per
     * batch, not per member: a mass kill of 10,000 tasks arms one.
     *
     * Invariants:
     *  KB1 every member's KILLED flag is set before any member is woken: a member woken early by another's
     *      death (a joiner of a killed task) is already killed, so it cannot end with a status of its own.
     *  KB2 the batch is told once per member that it ended (TaskControlBlock T5), so `pending` counts down to
     *      0 exactly once; the arming thread holds one count of its own until the timer is stored, so
     *      whoever brings it to 0 finds the timer there (no "armed after it already finished" race: the
     *      timer is cancelled by that last decrement, never armed after it).
     *  KB3 the timer's firing is harmless after every member ended: the reaper skips terminated tasks.
     *
     * Memory ordering: `timer` is written before the arming thread's own decrement, and read after the
     * decrement that reaches 0 (a volatile read-modify-write chain on `pending`): that reader sees it.
     *
     * Known limits: members under another watch (never the case today: a task is killed at most once, and
     * only a task that was not killed gets an exit watch) would be counted as ended at once; the timer then
     * still checks them when it fires.
     */

    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(KillBatch.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Reaper reaper;                      // immutable
    private final List<TaskControlBlock> members;     // immutable
    @SuppressWarnings("unused")                       // accessed through PENDING
    private volatile int pending;                     // members not yet ended, + 1 while arming (KB2)
    private volatile Timeout timer;                   // written once by arm(), before its own decrement

    private KillBatch(Reaper reaper, List<TaskControlBlock> members) {
        this.reaper = reaper;
        this.members = members;
        this.pending = members.size() + 1;
    }

    /** The killer's side of a batch being built: flags first (as many calls as it takes), then wake and arm. */
    public static final class Flags {
        private final Reaper reaper;
        private final List<TaskControlBlock> killed = new ArrayList<>();

        private Flags(Reaper reaper) {
            this.reaper = reaper;
        }

        /**
         * Sets the KILLED flag of each live task of {@code candidates} but {@code spared} (KB1: nobody is woken
         * yet).
         *
         * @param spared a task not to kill (the task calling exitGroup, or failing), or {@code null}
         * @return this
         */
        public Flags flag(Collection<TaskControlBlock> candidates, TaskControlBlock spared) {
            for (TaskControlBlock t : candidates) {
                if (t != spared && t.setKilled()) {
                    killed.add(t); // KB1: every flag first
                }
            }
            return this;
        }

        /**
         * Wakes every flagged task but {@code running} (the caller itself, which unwinds at its next tasklife
         * call), then arms one grace timer for all of them.
         *
         * @return the tasks this batch killed (empty if it killed none)
         */
        public List<TaskControlBlock> wakeAndArm(TaskControlBlock running) {
            for (TaskControlBlock t : killed) {
                if (t != running) {
                    t.wakeForKill();
                }
            }
            if (!killed.isEmpty()) {
                new KillBatch(reaper, killed).arm();
            }
            return killed;
        }
    }

    /** Starts a batch: {@link Flags#flag} the victims, then {@link Flags#wakeAndArm}. */
    public static Flags begin(Reaper reaper) {
        return new Flags(reaper);
    }

    /**
     * Kills {@code candidates} as one batch: sets the KILLED flag of each live one but {@code spared} (KB1),
     * then wakes each killed one, then arms one grace timer for them.
     *
     * @param spared a member not to kill (the task calling exitGroup or failing), or {@code null}
     * @return the members this call killed (empty if it killed none)
     */
    public static List<TaskControlBlock> kill(Reaper reaper, Collection<TaskControlBlock> candidates,
            TaskControlBlock spared) {
        return begin(reaper).flag(candidates, spared).wakeAndArm(null);
    }

    /**
     * Kills one task (SPEC K1): sets its flag and ends its wait, then arms its grace timer.
     *
     * @return whether this call killed it
     */
    public static boolean kill(Reaper reaper, TaskControlBlock t) {
        if (!t.kill()) {
            return false;
        }
        new KillBatch(reaper, List.of(t)).arm();
        return true;
    }

    /**
     * Arms the grace timer of a task that was not killed and whose exit sequence is about to run user code
     * (destructors, close()): if it has not ended within the grace period it is reported stuck (SPEC K8).
     */
    public static void watchExit(Reaper reaper, TaskControlBlock t) {
        new KillBatch(reaper, List.of(t)).arm();
    }

    private void arm() {
        timer = reaper.scheduleGrace(this::fire); // null if the kernel is shutting down: it reports stuck tasks itself
        for (TaskControlBlock t : members) {
            if (!t.watchExit(this)) {
                countDown(); // it published already
            }
        }
        countDown(); // the arming hold (KB2)
    }

    @Override
    public void watchedTaskEnded() {
        countDown();
    }

    private void countDown() {
        if ((int) PENDING.getAndAdd(this, -1) == 1) {
            Timeout t = timer;
            if (t != null) {
                t.cancel(); // every member ended: nobody left to report stuck
            }
        }
    }

    /** The grace period is over (timer thread): the reaper checks each member that has not ended (KB3). */
    private void fire() {
        reaper.checkStuckLater(members);
    }
}
