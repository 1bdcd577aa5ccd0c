package org.tasklife.sync;

import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.WaitContext;

/**
 * Who calls a primitive, as its owner fields record it: the calling task, or the host thread outside tasks.
 * One identity per caller for every primitive of this package (owner words, holders, hints, messages).
 */
final class Callers {
    /*
     * Implementation notes
     *
     * Identity (Mutex M8): a task's identity is its control block from TaskControlBlock.start() to publish()
     * (terminated), and the thread itself otherwise; so isCaller() decides from Thread.currentThread() alone,
     * without the ThreadLocal lookup, whether an identity (an owner word, a hint) is the caller's. The assert
     * compares it with that lookup.
     */

    private Callers() {}

    /** The identity of the caller of {@code w}: its task, or the host thread. */
    static Object identity(WaitContext w) {
        return identity(w.task());
    }

    /** The identity of {@code t}, or of the calling host thread if {@code t} is null. */
    static Object identity(TaskControlBlock t) {
        return t != null ? t : Thread.currentThread();
    }

    /**
     * Whether {@code o} (an owner word, a hint, or null) is the calling thread's identity (Mutex M8), decided
     * without the ThreadLocal lookup: the thread itself, or a task bound to it that has not terminated.
     */
    static boolean isCaller(Object o) {
        Thread cur = Thread.currentThread();
        boolean mine = o == cur || (o instanceof TaskControlBlock t && t.thread() == cur && !t.isTerminated());
        assert mine == (o == identity(TaskControlBlock.current())) : "M8: " + describe(o) + " on " + cur;
        return mine;
    }

    /**
     * Names an identity for messages and wait channels: "task 7", "host thread 'main'", or "nobody" for
     * anything else (null, a primitive's sentinel owner word).
     */
    static String describe(Object who) {
        if (who instanceof TaskControlBlock t) {
            return "task " + t.id();
        }
        if (who instanceof Thread th) {
            return "host thread '" + th.getName() + "'";
        }
        return "nobody";
    }
}
