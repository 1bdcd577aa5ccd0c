package org.tasklife;

import org.tasklife.internal.group.Termination;

/**
 * A handler registered with {@link Tasks#onTerminate(Runnable)}: it runs once, as a new task of the group,
 * when the group's termination is requested (docs/contract.md, K12). {@link #cancel()} removes it before then.
 */
public final class TerminationHandler {
    private final Termination.Handler handler;

    TerminationHandler(Termination.Handler handler) {
        this.handler = handler;
    }

    /**
     * Removes the handler, unless it was started already.
     *
     * @return whether this call removed it; {@code false} if it was started (the termination was requested)
     *     or removed before
     */
    public boolean cancel() {
        return handler.cancel();
    }
}
