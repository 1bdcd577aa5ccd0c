package org.tasklife.testkit;

import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.internal.wait.Waiter;

/** A kernel bug on purpose, for tests that must find it (deterministic replay, the schedule explorer). */
public final class InjectedBug {
    private InjectedBug() {}

    /** The injected bug: check the kill bit, reach a safe point, then park without publishing the wait. */
    public static void buggyAwait(WaitQueue event) {
        TaskControlBlock self = TaskControlBlock.current();
        self.checkpoint();
        KernelCore core = KernelCore.groupOf(self).core();
        core.safePoint();
        WaitNode n = new WaitNode(event, "buggy");
        event.lock();
        try {
            event.enqueueLocked(n);
        } finally {
            event.unlock();
        }
        Blocker b = core.blocker();
        b.await(new Waiter() {
            @Override
            public boolean beginWait(WaitNode node) {
                return true; // BUG: neither publishes the node to kill() nor re-checks the kill bit
            }

            @Override
            public void endWait(WaitNode node) {}
        }, n, Blocker.NO_DEADLINE);
    }
}
