package org.tasklife;

import org.tasklife.internal.task.KillHookList;

/**
 * An action that runs when its task is killed, registered by {@link Tasks#onKill(AutoCloseable)}
 * (docs/contract.md, K15): the way to end a foreign blocking call that a kill cannot end by itself, such as a
 * socket read on a platform thread, a JDBC query, a wait for a subprocess or {@code CompletableFuture.join()}.
 *
 * <p>A hook is <em>registered</em> from the moment {@code onKill} returns until it fires or is closed. If its
 * task is killed while it is registered, its action runs exactly once, soon after the kill and never on the
 * killer's thread: on a virtual thread started for the task's hooks, with no tasklife lock held, newest hook
 * first. If the task ends without being killed, or the hook is closed first, the action never runs.
 *
 * <table>
 *   <caption>Observable states</caption>
 *   <tr><th>the hook is…</th><th>{@link #isRegistered()}</th><th>{@link #isFired()}</th><th>{@link #close()}</th></tr>
 *   <tr><td>registered, task not killed</td><td>true</td><td>false</td>
 *       <td>deregisters it: the action never runs</td></tr>
 *   <tr><td>registered, task killed (the kill is about to fire it)</td><td>true</td><td>false</td>
 *       <td>does nothing: the action runs</td></tr>
 *   <tr><td>fired by a kill (its action is about to run, runs, or ran)</td><td>false</td><td>true</td>
 *       <td>does nothing and returns at once; it never waits for the action</td></tr>
 *   <tr><td>closed, or its task ended without a kill</td><td>false</td><td>false</td><td>does nothing</td></tr>
 * </table>
 *
 * <p>What the action throws is recorded in the task's {@link Task#closeFailures()} and logged at
 * {@code WARNING} through {@link System.Logger} (logger {@code org.tasklife}); it stops neither the
 * other hooks nor the kill. An action still running when the kill grace period has passed is logged with its
 * stack, never fatal; the task's other hooks then go on without it.
 *
 * <p>Handles are thread-safe: any thread may close or query a hook.
 */
public final class KillHook implements AutoCloseable {
    private final KillHookList.Hook hook;

    KillHook(KillHookList.Hook hook) {
        this.hook = hook;
    }

    /** {@return the action given to {@link Tasks#onKill(AutoCloseable)}} */
    public AutoCloseable action() {
        return hook.action();
    }

    /** {@return whether the hook is registered: a kill of its task now would run the action} */
    public boolean isRegistered() {
        return hook.isArmed();
    }

    /** {@return whether a kill fired the hook: its action is about to run, runs, or has run (once)} */
    public boolean isFired() {
        return hook.isFired();
    }

    /**
     * Deregisters the hook if its task has not been killed: the action will never run. Once the task is
     * killed the hook belongs to the kill, which fires it: then this does nothing and returns at once, never
     * waiting for the action, so that a task unwinding from its kill cannot hang here. Closing twice, or
     * after the task ended, does nothing.
     */
    @Override
    public void close() {
        hook.withdraw();
    }

    /** {@return the action and the hook's state, for diagnostics} */
    @Override
    public String toString() {
        return hook.toString();
    }
}
