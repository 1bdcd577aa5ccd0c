package org.tasklife.internal.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The kill hooks of one task (contract K15): actions registered by the task itself, each run once if the
 * task is killed while it is registered, to unblock the foreign call the task is in (a socket read, a JDBC
 * query, a subprocess wait). This class only keeps the registrations and decides, per hook, which of "the
 * kill claims it" and "its task withdraws it" wins; the kill batch (reap/) runs what a kill claims.
 */
public final class KillHookList {
    /*
     * Implementation notes
     *
     * Overview: a task's list is created by the task itself on its first registration (one volatile write
     * of the record's killHooks, in its Rare part, single writer), so a task that never registers costs a kill one null
     * check. Registration runs on the task's own thread; a kill takes the list (takeForKill) on the killer's
     * thread, after it has set the KILLED flag.
     *
     * States of a hook (one int, changed only by CAS):
     *    ARMED -> QUEUED     // takeForKill(): a kill claimed it; it will run exactly once
     *    ARMED -> WITHDRAWN  // withdraw() while the task is not killed (KillHook.close, the end of
     *                        // Tasks.blocking); undo() by a registration that saw the kill; discardAtExit()
     *   QUEUED -> RUNNING    // start(): a hook runner took it
     *  RUNNING -> DONE       // finish(): its action returned or threw
     *
     * Invariants:
     *  KH1 a hook runs at most once: only the ARMED -> QUEUED CAS hands it to a runner, and only the
     *      QUEUED -> RUNNING CAS lets a runner run it.
     *  KH2 a hook registered when a kill sets the KILLED flag runs exactly once.
     *      Registration: the registrant publishes the list (volatile write) and links the hook (under lock)
     *      before it reads the state word (volatile); the killer CASes the state word before it reads the
     *      list (volatile). One sees the other (Dekker): either the killer finds the list and takes the hook
     *      (under the same lock, so the hook is linked first or the list is marked taken first), or the
     *      registrant sees KILLED and undoes the hook before it is taken (register then throws: nothing was
     *      registered). A hook the killer took first cannot be undone: register returns it, fired.
     *      Withdrawal: withdraw() reads the KILLED flag first and leaves a killed task's hook to its killer,
     *      which claims it after setting the flag; so a task woken by its kill cannot withdraw its hook before
     *      the killer reaches it. A withdraw that read "not killed" is ordered before the kill: if its CAS
     *      then loses to the killer's claim, the hook runs and withdraw() says it did not withdraw it.
     *  KH3 once a kill took the list it accepts no hook: a registration that comes later sees its task killed.
     *  KH4 no user code runs under the list's lock; the lock is held for a list operation only.
     *
     * Known limits: unlink() scans the list from its end (the common case, Tasks.blocking, withdraws the
     * hook it added last): O(1) then, O(n) for a hook deep in a long list.
     */

    static final int ARMED = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    static final int DONE = 3;
    static final int WITHDRAWN = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Hook.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskControlBlock owner;     // immutable: the task whose hooks these are
    private final Object lock = new Object(); // brief, never blocking, no user code (KH4): no pinning concern
    private List<Hook> hooks;                 // guarded by lock; registration order; null when empty or taken
    private boolean taken;                    // guarded by lock; set once by takeForKill or discardAtExit (KH3)

    private KillHookList(TaskControlBlock owner) {
        this.owner = owner;
    }

    /** One registered action and its state (KH1). */
    public static final class Hook {
        private final KillHookList list;       // immutable
        private final AutoCloseable action;    // immutable
        @SuppressWarnings("unused")            // accessed through STATE
        private volatile int state;            // ARMED until a kill claims it or it is withdrawn

        private Hook(KillHookList list, AutoCloseable action) {
            this.list = list;
            this.action = action;
        }

        /** The action to run. */
        public AutoCloseable action() {
            return action;
        }

        private int stateVolatile() {
            return (int) STATE.getVolatile(this);
        }

        private boolean casState(int expect, int update) {
            return STATE.compareAndSet(this, expect, update);
        }

        /** Whether it is still registered: no kill claimed it and it was not withdrawn. */
        public boolean isArmed() {
            return stateVolatile() == ARMED;
        }

        /** Whether a kill claimed it: it is waiting to run, running, or has run. */
        public boolean isFired() {
            int s = stateVolatile();
            return s == QUEUED || s == RUNNING || s == DONE;
        }

        /** Whether a kill claimed it and no runner has started it yet. */
        public boolean isQueued() {
            return stateVolatile() == QUEUED;
        }

        /** Whether its action is running now. */
        public boolean isRunning() {
            return stateVolatile() == RUNNING;
        }

        /**
         * Withdraws the hook unless its task is killed already (KH2): it will never run. A killed task's hook
         * is its killer's to claim. Never waits for a running action.
         *
         * @return whether this call withdrew it
         */
        public boolean withdraw() {
            if (list.owner.isKilled()) {
                return false; // KH2: the killer claims it after setting the flag
            }
            return undo();
        }

        /** ARMED -> WITHDRAWN whatever the task's state: a registration that saw the kill undoes itself (KH2). */
        private boolean undo() {
            if (!casState(ARMED, WITHDRAWN)) {
                return false;
            }
            list.unlink(this);
            return true;
        }

        /** QUEUED -> RUNNING for a hook runner. @return whether the caller is the one that runs it (KH1) */
        public boolean start() {
            return casState(QUEUED, RUNNING);
        }

        /** RUNNING -> DONE: its action returned or threw. */
        public void finish() {
            boolean ok = casState(RUNNING, DONE);
            assert ok : "kill hook finished twice: " + action;
        }

        @Override
        public String toString() {
            String s = switch (stateVolatile()) {
                case ARMED -> "registered";
                case QUEUED -> "fired, about to run";
                case RUNNING -> "fired, running";
                case DONE -> "fired, ran";
                case WITHDRAWN -> "closed";
                default -> "bad state " + stateVolatile();
            };
            return "KillHook[task " + list.owner.id() + ", " + action + ", " + s + "]";
        }
    }

    /**
     * Registers {@code action} for {@code t}, the calling task (KH2). A safe point: a task already killed,
     * asked to exit, or in its exit sequence registers nothing and unwinds.
     *
     * @return the hook: registered, or already fired if a kill took it while this call ran
     * @throws org.tasklife.TaskKilledError if the task is killed (before or during this call, unless the kill
     *     took the hook first) or in its exit sequence; nothing is registered then
     */
    public static Hook register(TaskControlBlock t, AutoCloseable action) {
        assert TaskControlBlock.current() == t : "kill hook registered for another task";
        t.checkpoint();
        KillHookList list = t.killHooks();
        if (list == null) {
            list = new KillHookList(t);
            t.publishKillHooks(list); // KH2: volatile write before the state read below
        }
        Hook h = list.link(action);
        if (h == null) {
            throw t.unwindingThrowable(); // KH3: a kill took the list already
        }
        if (t.isKilled() && h.undo()) {
            throw t.unwindingThrowable(); // KH2: killed while registering, and the kill did not take it
        }
        return h;
    }

    private Hook link(AutoCloseable action) {
        Hook h = new Hook(this, action);
        synchronized (lock) {
            if (taken) {
                return null;
            }
            if (hooks == null) {
                hooks = new ArrayList<>(2);
            }
            hooks.add(h);
        }
        return h;
    }

    private void unlink(Hook h) {
        synchronized (lock) {
            List<Hook> l = hooks;
            if (l == null) {
                return;
            }
            for (int i = l.size() - 1; i >= 0; i--) {
                if (l.get(i) == h) {
                    l.remove(i);
                    return;
                }
            }
        }
    }

    /**
     * Takes the list for a kill (killer's thread, after it set the KILLED flag): claims every registered hook
     * (ARMED -> QUEUED); the list accepts no hook afterwards (KH3).
     *
     * @return the hooks this call claimed, in the order they must run (newest first); may be empty
     */
    public List<Hook> takeForKill() {
        assert owner.isKilled() : owner + ": hooks taken without a kill";
        List<Hook> all;
        synchronized (lock) {
            taken = true;
            all = hooks;
            hooks = null;
        }
        if (all == null) {
            return List.of();
        }
        List<Hook> claimed = new ArrayList<>(all.size());
        for (int i = all.size() - 1; i >= 0; i--) {
            Hook h = all.get(i);
            if (h.casState(ARMED, QUEUED)) {
                claimed.add(h);
            }
        }
        return claimed;
    }

    /**
     * Withdraws every hook of a task that ends without having been killed (on its own thread, once it is
     * EXITING, where no kill can land any more): none of them will run, and the task's record keeps none of
     * the actions reachable.
     */
    public static void discardAtExit(TaskControlBlock t) {
        KillHookList list = t.killHooks();
        if (list == null) {
            return;
        }
        assert !t.isKilled() && !t.isLive() : t + ": hooks discarded from a killed or live task";
        List<Hook> all;
        synchronized (list.lock) {
            list.taken = true;
            all = list.hooks;
            list.hooks = null;
        }
        if (all != null) {
            for (Hook h : all) {
                h.casState(ARMED, WITHDRAWN);
            }
        }
    }

    /** How many hooks are registered now (tests, introspection). */
    public int size() {
        synchronized (lock) {
            return hooks == null ? 0 : hooks.size();
        }
    }
}
