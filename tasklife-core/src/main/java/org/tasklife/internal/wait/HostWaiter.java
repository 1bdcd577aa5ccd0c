package org.tasklife.internal.wait;

/** The waiter for threads outside any task: never killed, so its waits end by signal or timeout only. */
public final class HostWaiter implements Waiter {
    /** The only instance; it keeps no per-thread state. */
    public static final HostWaiter INSTANCE = new HostWaiter();

    private HostWaiter() {}

    @Override
    public boolean beginWait(WaitNode n) {
        return true;
    }

    @Override
    public void endWait(WaitNode n) {}
}
