package org.tasklife.internal.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tasklife.ExitStatus;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.internal.sched.TimeSlicer;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.internal.wait.Waiter;

/**
 * The task control block (TCB): one task's state word, identity, current wait, exit status and owned
 * resources.
 */
public final class TaskControlBlock extends WaitContext implements Waiter, Runnable {
    /*
     * Implementation notes
     *
     * Overview: everything that decides a task's liveness is one int, the state word: a phase in the
     * low three bits and sticky flags above it. It changes only by CAS (casState); no write replaces a
     * word it did not read, so a terminal phase is final by construction (DESIGN I1).
     *
     * States (phase edges; every other pair is refused by casPhase):
     *      NEW -> RUNNING      // TaskRunner starts the thread (also when already killed: it skips the body); for a
     *                          // HANDED_OUT task, claimStart() on its thread or retireUnstarted() on the reaper's,
     *                          // whichever CASes first (H1)
     *  RUNNING -> BLOCKED      // beginWait(): node published, no kill or exit pending
     *  BLOCKED -> RUNNING      // endWait(): the node's outcome was decided (signal | timeout | kill)
     *  RUNNING -> EXITING      // beginExit(): body returned or threw; the word it replaced decides the status
     *  EXITING -> TERMINATED   // publish(): status published, joiners woken
     * Flags:
     *  KILLED          set once by kill() while the phase is NEW, RUNNING or BLOCKED and no exit was requested
     *  EXIT_REQUESTED  set once by requestExit() (exit(), exitGroup()) on the task's own thread, not if KILLED
     *  DETACHED        set once by detach(), before DISPOSED
     *  JOINED          set once by the first join that returns, in TERMINATED
     *  DISPOSED        set once when the record leaves the task table, in TERMINATED
     *  HANDED_OUT      set once before the record is published, never cleared: its thread was handed, unstarted,
     *                  to whoever asked for it (a ThreadFactory's caller), who starts it or not (H1)
     *  FAILS_ALONE     set once by markFailsAlone() on the task's own thread: a failure ends this task only,
     *                  whatever its group's failure policy (an executor's submission, a factory's thread)
     *  KILL_REASON     two bits (10-11) set with KILLED, in the same CAS: why it was killed (the ordinal of a
     *                  KillReason; 0, an explicit kill, for every kill that gives none), read from the word
     *                  beginExit replaced, so the status and its reason are decided together (contract K6)
     *
     * Invariants:
     *  T1 a task is linked in at most one wait queue, and publishes it in currentWait while it may park.
     *  T2 KILLED and EXIT_REQUESTED are never both set; once either is, every blocking call throws.
     *  T3 status and result are written before the EXITING -> TERMINATED CAS and read after observing it.
     *  T4 joiners and onExit are created on first use; publish() reads each after its TERMINATED CAS, and a
     *     creator checks TERMINATED after creating (volatile and CAS on both sides, Dekker): a joiner enqueued
     *     in a queue publish() did not see finds TERMINATED under the queue lock and does not park, and an
     *     onExit future publish() did not see is completed by its creator.
     *  H1 a HANDED_OUT task leaves NEW exactly once: by claimStart() on its own thread once started (it then
     *     runs as any task), or by retireUnstarted() on the reaper thread after it was killed while NEW (it then
     *     never runs: RUNNING -> EXITING and publishRetired() follow at once on the reaper's thread, and a
     *     later start of its thread returns at once). kill() of a NEW HANDED_OUT task tells its owner
     *     (TaskOwner.handedOutKilledBeforeStart), which queues the retirement; the CAS decides the race with a
     *     start, and a start that wins sees KILLED and skips the body.
     *  T5 a task is under at most one exit watch (the grace period of the kill batch that killed it, or of its
     *     own exit sequence) and the watch is told exactly once that it ended: watchExit writes the watch then
     *     reads TERMINATED, publish() CASes TERMINATED then reads the watch (Dekker), and of the two only the
     *     one whose CAS takes the watch back out tells it.
     *  T6 the resource list is made by the first registration (CAS from null) and closed by takeResources(); a
     *     task that ends without one CASes the shared closed empty list in instead, so a registration racing
     *     with the exit either lands in a list that the exit then takes, or finds a closed list and is refused.
     *  T7 the Rare part is made once, by CAS from null, by whichever thread first needs one of its fields; each
     *     field keeps the guard it had in the record (this record's monitor, or the task's own thread).
     *
     * Authority (who may act on which domain is decided above, from a token this layer only carries):
     *  A1 a thread's authority is the task running on it, else the token it inherited when it was created
     *     (CURRENT is an InheritableThreadLocal: a thread created by a task carries its owner's token, and so
     *     do the threads that thread creates), else none (host code). A task's thread keeps its owner's token
     *     after publish(): the group end, onExit dependents and group-owned closers that run there are the
     *     owner's work. Not reached: threads that existed before (pool threads) and threads built with
     *     inheritInheritableThreadLocals(false); the layer above decides what they get.
     *  A2 callbacks run with the authority of whoever registered them (runAs), or of the resource's owner for
     *     force-closes on the reaper thread (runAsOwnerOf).
     *
     * Concurrency and memory ordering: the no-block handshake (DESIGN I3) is Dekker-style. The waiter
     * writes currentWait (volatile) then CASes the state word; the killer CASes the state word then
     * reads currentWait (volatile). Under sequential consistency of volatile accesses one of them sees
     * the other: either the killer finds the node and kills it, or the waiter sees KILLED and does not
     * park. Interrupts for running tasks (contract K4) are sent under the monitor, which beginExit passes
     * through once after leaving RUNNING, so no interrupt can land in the exit sequence. The pass is skipped
     * when no kill ever meant to interrupt (interruptIntent, written before the killer reads the phase and
     * read after the exiting CAS: one of them sees the other): most tasks die in a wait, not running.
     *
     * Why one file over 500 lines: it is the state word (DESIGN I1) and every transition of it, which must
     * all see one another's CASes and flags (T1-T5); what hangs off it lives apart (ResourceList,
     * WaitContext, ExitWatch, the kill batch in reap/).
     *
     * CPU time: platform threads report exact CPU time from ThreadMXBean. Virtual threads cannot (the
     * JVM answers -1), so their time is the sum of run slices: wall time between starting or leaving a
     * tasklife wait and entering the next wait or exiting. It over-counts time a virtual thread was
     * runnable but not mounted, and time blocked outside tasklife (JDK locks, I/O).
     */

    /** Most rounds of exit hooks (task-local destructors) at task exit: POSIX {@code PTHREAD_DESTRUCTOR_ITERATIONS}. */
    public static final int EXIT_HOOK_ROUNDS = 4;

    static final int NEW = 0;
    static final int RUNNING = 1;
    static final int BLOCKED = 2;
    static final int EXITING = 3;
    static final int TERMINATED = 4;
    static final int PHASE = 0b111;
    static final int KILLED = 1 << 3;
    static final int EXIT_REQUESTED = 1 << 4;
    static final int DETACHED = 1 << 5;
    static final int JOINED = 1 << 6;
    static final int DISPOSED = 1 << 7;
    static final int HANDED_OUT = 1 << 8;
    static final int FAILS_ALONE = 1 << 9;
    static final int UNWINDING = KILLED | EXIT_REQUESTED;
    static final int KILL_REASON_SHIFT = 10; // above HANDED_OUT and FAILS_ALONE
    static final int KILL_REASON = 0b11 << KILL_REASON_SHIFT;

    private static final VarHandle STATE;
    private static final VarHandle CURRENT_WAIT;
    private static final VarHandle JOINERS;
    private static final VarHandle ON_EXIT;
    private static final VarHandle EXIT_WATCH;
    private static final VarHandle RESOURCES;
    private static final VarHandle RARE;
    /*
     * Per thread: the task running on it; or, on any other thread, the authority token of the work the
     * thread does for a domain; or nothing (host code). Inheritable, so that any thread created by a task,
     * or by such a thread, carries the task's token (childValue turns a task into its owner's token): the
     * authority of a tenant's work follows it onto the threads it starts (A1 in the notes).
     */
    private static final InheritableThreadLocal<Object> CURRENT = new InheritableThreadLocal<>() {
        @Override
        protected Object childValue(Object parent) {
            return parent instanceof TaskControlBlock t ? t.owner.authorityToken() : parent;
        }
    };
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(TaskControlBlock.class, "state", int.class);
            CURRENT_WAIT = l.findVarHandle(TaskControlBlock.class, "currentWait", WaitNode.class);
            JOINERS = l.findVarHandle(TaskControlBlock.class, "joiners", WaitQueue.class);
            ON_EXIT = l.findVarHandle(TaskControlBlock.class, "onExit", CompletableFuture.class);
            EXIT_WATCH = l.findVarHandle(TaskControlBlock.class, "exitWatch", ExitWatch.class);
            RESOURCES = l.findVarHandle(TaskControlBlock.class, "resources", ResourceList.class);
            RARE = l.findVarHandle(TaskControlBlock.class, "rare", Rare.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;                 // immutable, never reused
    private final String name;             // immutable
    private final TaskOwner owner;         // immutable: the group
    private final boolean platform;        // immutable: platform thread rather than virtual
    private final Clock clock;             // immutable
    private final long createdNanos;       // immutable, clock nanos
    private final AtomicLong openResources; // immutable: the kernel's counter, for the resource list made on first use
    // Lazily created (memory per task): most tasks are never joined, never watched, never own a
    // destructor or a resource and never fail to close anything.
    private volatile ResourceList resources; // owned resources (contract O1): made by the first registration,
                                             // ResourceList.closedEmpty() if the task ends owning none (T6)
    private volatile WaitQueue joiners;    // created by the first joiner (T4)
    private volatile CompletableFuture<ExitStatus> onExit; // created by the first onExit() (T4)
    // The record's own monitor (synchronized (this): the record is never handed out of the kernel, nothing
    // else locks it) guards interrupts (K4), deathWatches and closeFailures; no separate lock object per task.
    private volatile Rare rare;             // what few tasks use (see Rare), made on first use (T7)
    private int exitHookRound;              // confined to the task's own thread: see exitHookRound()
    private volatile boolean deathFired;                 // written under this, once
    private volatile boolean interruptIntent;            // a kill may interrupt this thread (see beginExit)

    @SuppressWarnings("unused")            // accessed through STATE
    private volatile int state;            // phase | flags; written only through casState
    @SuppressWarnings("unused")            // accessed through CURRENT_WAIT
    private volatile WaitNode currentWait; // written by the task itself; read by kill and snapshots
    private volatile Thread thread;        // set by start(); the thread running the body
    private volatile ExitStatus status;    // written before the TERMINATED CAS (T3)
    private Object result;                 // plain: written before the TERMINATED CAS, read after (T3)
    @SuppressWarnings("unused")            // accessed through EXIT_WATCH
    private volatile ExitWatch exitWatch;  // the kill batch whose grace period covers this task (T5), or null
    private volatile long cpuNanos;        // written by the task's own thread only
    private volatile long sliceStart = -1; // clock nanos of the running slice, -1 while not running
    private Callable<?> body;              // the body from setBody() until run() takes it, then null
    private TaskControlBlock memberPrev;   // guarded by the owner's lock: links in the owner's list of records
    private TaskControlBlock memberNext;   // (an intrusive list, no node object per task: memory per task)
    private long runSince;                 // clock nanos when the task last got a carrier: started, ended a
                                           // wait, or gave its carrier up (default-mode time slices, contract K4);
                                           // confined to the task's own thread

    /**
     * A task record in phase NEW.
     *
     * @param openResources kernel-wide counter of open owned resources (audits)
     */
    public TaskControlBlock(long id, String name, TaskOwner owner, boolean platform, Clock clock,
            AtomicLong openResources) {
        this.id = id;
        this.name = name;
        this.owner = owner;
        this.platform = platform;
        this.clock = clock;
        this.createdNanos = clock.nanoTime();
        this.openResources = openResources;
    }

    /**
     * The part of a task record that few tasks use (memory per task, T7): made on first use, so a task that never
     * fails to close anything, registers no exit hook, kill hook or death watch, never asks to exit and passes no
     * inheritable value pays one null reference for all of it.
     */
    private static final class Rare {
        List<Throwable> closeFailures;           // guarded by the record's monitor; null until the first failure
        List<Runnable> exitHooks;                // confined to the task's own thread; null until the first hook
        List<Consumer<TaskControlBlock>> deathWatches; // guarded by the record's monitor; null after they fired
        int requestedExitCode;                   // plain: written by the task before EXIT_REQUESTED
        Object requestedExitValue;               // plain: written by the task before EXIT_REQUESTED
        List<Function<TaskControlBlock, Runnable>> inheritors; // own thread only; null until the first
        volatile KillHookList killHooks;         // written once by the task itself (KillHookList KH2); null until then
    }

    /** The Rare part, made on first use (T7). */
    private Rare rare() {
        Rare r = rare;
        if (r == null) {
            Rare fresh = new Rare();
            r = (Rare) RARE.compareAndExchange(this, null, fresh);
            if (r == null) {
                r = fresh;
            }
        }
        return r;
    }

    // ---- the running task ----

    /** The task running on the current thread, or {@code null} outside tasks. */
    public static TaskControlBlock current() {
        return CURRENT.get() instanceof TaskControlBlock t ? t : null;
    }

    /**
     * The authority token the calling thread acts with (A1): its task's owner's, or the one it inherited or
     * runs a callback with; {@code null} for host code.
     */
    public static Object currentAuthority() {
        Object v = CURRENT.get();
        return v instanceof TaskControlBlock t ? t.owner.authorityToken() : v;
    }

    /**
     * Runs {@code action} on the calling thread with authority {@code token} ({@code null}: host), then
     * restores what the thread had (A2: callbacks run with the authority of whoever registered them). The
     * thread is not a task while {@code action} runs.
     */
    public static void runAs(Object token, Runnable action) {
        Object saved = CURRENT.get();
        if (saved == token) {
            action.run();
            return;
        }
        setCurrent(token);
        try {
            action.run();
        } finally {
            setCurrent(saved);
        }
    }

    /** Runs {@code action} with the authority of {@code t}'s owner (the reaper's force-closes, A2). */
    public static void runAsOwnerOf(TaskControlBlock t, Runnable action) {
        runAs(t.owner.authorityToken(), action);
    }

    private static void setCurrent(Object v) {
        if (v == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(v);
        }
    }

    // ---- state word ----

    int stateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    static int phase(int s) {
        return s & PHASE;
    }

    /** Whether {@code from -> to} is an edge of the transition table. */
    static boolean isLegalEdge(int from, int to) {
        return (from == NEW && to == RUNNING)
                || (from == RUNNING && to == BLOCKED)
                || (from == BLOCKED && to == RUNNING)
                || (from == RUNNING && to == EXITING)
                || (from == EXITING && to == TERMINATED);
    }

    /**
     * Moves the phase from {@code from} to {@code to}, keeping the flags.
     *
     * @return the word replaced, or -1 if the phase was not {@code from}
     * @throws IllegalStateException if the edge is not in the transition table
     */
    int casPhase(int from, int to) {
        if (!isLegalEdge(from, to)) {
            throw new IllegalStateException("tid " + id + ": illegal phase edge " + from + " -> " + to);
        }
        for (;;) {
            int s = stateVolatile();
            if (phase(s) != from) {
                return -1;
            }
            if (casState(s, (s & ~PHASE) | to)) {
                return s;
            }
        }
    }

    private boolean setFlag(int flag, int refuseIf) {
        for (;;) {
            int s = stateVolatile();
            if ((s & (flag | refuseIf)) != 0) {
                return false;
            }
            if (casState(s, s | flag)) {
                return true;
            }
        }
    }

    // ---- identity and views ----

    /** The task id (TID). */
    public long id() {
        return id;
    }

    /** The task's name. */
    public String name() {
        return name;
    }

    /** The group this task belongs to. */
    public TaskOwner owner() {
        return owner;
    }

    // ---- its own wait context (WaitContext: a task's blocking calls allocate no context object) ----

    /** This task: a task is its own wait context. */
    @Override
    public TaskControlBlock task() {
        return this;
    }

    @Override
    Waiter waiter() {
        return this;
    }

    @Override
    Blocker blocker() {
        return owner.blocker();
    }

    /** Whether the task runs on a platform thread. */
    public boolean isPlatform() {
        return platform;
    }

    /** The public view of the phase. */
    public TaskState taskState() {
        int s = stateVolatile();
        return switch (phase(s)) {
            case NEW -> TaskState.NEW;
            case RUNNING -> TaskState.RUNNING;
            case BLOCKED -> TaskState.BLOCKED;
            case EXITING -> TaskState.EXITING;
            case TERMINATED -> TaskState.TERMINATED;
            default -> throw new IllegalStateException("tid " + id + ": bad state word 0x" + Integer.toHexString(s));
        };
    }

    /** Whether the task was killed (sticky). */
    public boolean isKilled() {
        return (stateVolatile() & KILLED) != 0;
    }

    /** Whether the task has not yet started its exit sequence. */
    public boolean isLive() {
        return phase(stateVolatile()) < EXITING;
    }

    /** Whether the task's status is published. */
    public boolean isTerminated() {
        return phase(stateVolatile()) == TERMINATED;
    }

    /** Whether the task was detached. */
    public boolean isDetached() {
        return (stateVolatile() & DETACHED) != 0;
    }

    /** Whether the record has left the task table. */
    public boolean isDisposed() {
        return (stateVolatile() & DISPOSED) != 0;
    }

    /** The thread running the body, or {@code null} before start. */
    public Thread thread() {
        return thread;
    }

    /** Clock nanos at creation. */
    public long createdNanos() {
        return createdNanos;
    }

    /** The published status, or {@code null} before TERMINATED. */
    public ExitStatus status() {
        return isTerminated() ? status : null;
    }

    /** The body's result; valid only after {@link #isTerminated()} returned {@code true}. */
    public Object result() {
        return result;
    }

    /** Completes with the status when the task terminates (T4: created on first use). */
    public CompletableFuture<ExitStatus> onExit() {
        CompletableFuture<ExitStatus> f = onExit;
        if (f == null) {
            CompletableFuture<ExitStatus> fresh = new CompletableFuture<>();
            f = (CompletableFuture<ExitStatus>) ON_EXIT.compareAndExchange(this, null, fresh);
            if (f == null) {
                f = fresh;
            }
        }
        if (isTerminated()) {
            f.complete(status); // publish() may have looked before this future existed
        }
        return f;
    }

    /** The queue of tasks joining this one (T4: created by the first joiner). */
    public WaitQueue joiners() {
        WaitQueue q = joiners;
        if (q == null) {
            WaitQueue fresh = new WaitQueue();
            q = (WaitQueue) JOINERS.compareAndExchange(this, null, fresh);
            if (q == null) {
                q = fresh;
            }
        }
        return q;
    }

    /** The task's kill hooks (contract K15), or {@code null} if it never registered one: a kill's only check. */
    public KillHookList killHooks() {
        Rare r = rare; // most tasks have no Rare part: a kill's check stays one load and a null test
        return r == null ? null : r.killHooks;
    }

    /** Publishes the task's kill hook list; once, on the task's own thread (KillHookList KH2). */
    void publishKillHooks(KillHookList list) {
        assert current() == this && killHooks() == null : "tid " + id + ": kill hooks published twice";
        rare().killHooks = list; // volatile: KH2's publication, as when it was a field of the record
    }

    /** The task's owned resources, made on first use (T6); a closed, empty list once the task ended owning none. */
    public ResourceList resources() {
        ResourceList r = resources;
        if (r == null) {
            ResourceList fresh = new ResourceList(openResources);
            r = (ResourceList) RESOURCES.compareAndExchange(this, null, fresh);
            if (r == null) {
                r = fresh;
            }
        }
        return r;
    }

    /** Number of owned resources still registered, without making the list (snapshots). */
    public int ownedResourceCount() {
        ResourceList r = resources;
        return r == null ? 0 : r.size();
    }

    /**
     * {@link ResourceList#takeAll()} of the task's resources, for its exit sequence: a task that never registered
     * one gets the shared closed list instead of one of its own (T6), which refuses later registrations as well.
     *
     * @return the entries to close, or {@code null} if there is nothing to close
     */
    public List<ResourceList.Entry> takeResources() {
        if (resources == null && RESOURCES.compareAndSet(this, null, ResourceList.closedEmpty())) {
            return null; // T6: no list was ever made; none can be now
        }
        return resources.takeAll();
    }

    /** Failures of {@code close()} and of destructors recorded so far (contract O3). */
    public List<Throwable> closeFailures() {
        synchronized (this) {
            Rare r = rare;
            return r == null || r.closeFailures == null ? List.of() : List.copyOf(r.closeFailures);
        }
    }

    /** Records failures of closing owned resources. */
    public void recordCloseFailures(List<Throwable> failures) {
        if (failures.isEmpty()) {
            return;
        }
        synchronized (this) {
            Rare r = rare();
            if (r.closeFailures == null) {
                r.closeFailures = new ArrayList<>(failures.size());
            }
            r.closeFailures.addAll(failures);
        }
    }

    /** What the task waits for now (its wait channel), or {@code null}. */
    public Object waitChannel() {
        WaitNode n = (WaitNode) CURRENT_WAIT.getVolatile(this);
        return n == null ? null : n.describedChannel();
    }

    /** The code given to {@link #requestExit(int, Object)}; valid once the exit was requested. */
    public int requestedExitCode() {
        Rare r = rare;
        return r == null ? 0 : r.requestedExitCode;
    }

    /** The value given to {@link #requestExit(int, Object)}: what joiners get; valid once the exit was requested. */
    public Object requestedExitValue() {
        Rare r = rare;
        return r == null ? null : r.requestedExitValue;
    }

    /** Whether the word returned by {@link #beginExit()} says the task was killed. */
    public static boolean wasKilled(int word) {
        return (word & KILLED) != 0;
    }

    /** The reason of the kill in a word returned by {@link #beginExit()}: a {@code KillReason} ordinal, 0 if none. */
    public static int killReason(int word) {
        return (word & KILL_REASON) >>> KILL_REASON_SHIFT;
    }

    /** Whether the word returned by {@link #beginExit()} says the task requested its exit. */
    public static boolean wasExitRequested(int word) {
        return (word & EXIT_REQUESTED) != 0;
    }

    // ---- lifecycle ----

    /**
     * NEW -> RUNNING on the task's own thread; binds it as the current task.
     *
     * @return whether the body should run (false if killed before it started)
     */
    public boolean start() {
        boolean claimed = claimStart();
        assert claimed : "tid " + id + " started twice";
        return bodyMayRun();
    }

    /**
     * NEW -> RUNNING on the thread that is to run the task, binding it as the current task; for a HANDED_OUT
     * task the start may lose to {@link #retireUnstarted()} (H1).
     *
     * @return false, binding nothing, if the task left NEW before (it was retired: its thread must return)
     */
    public boolean claimStart() {
        thread = Thread.currentThread(); // before the CAS: a kill that reads RUNNING interrupts this thread (K4)
        if (casPhase(NEW, RUNNING) == -1) {
            thread = null;
            return false;
        }
        CURRENT.set(this);
        long now = clock.nanoTime();
        sliceStart = now;
        runSince = now;
        return true;
    }

    /** Whether a started task's body should run: false once it was killed or asked to exit. */
    public boolean bodyMayRun() {
        return (stateVolatile() & UNWINDING) == 0;
    }

    /**
     * Marks the task HANDED_OUT (H1): its thread is handed unstarted to whoever asked for it. Called once, before
     * the record is published.
     */
    public void markHandedOut() {
        setFlag(HANDED_OUT, 0);
    }

    /**
     * Ends a HANDED_OUT task whose thread has not started, on the calling (reaper) thread: NEW -> RUNNING ->
     * EXITING, the first CAS deciding the race with {@link #claimStart()} (H1). Only for a killed task.
     *
     * @return false if its thread started first (it unwinds by itself)
     */
    public boolean retireUnstarted() {
        assert isKilled() : "tid " + id + ": retired without a kill";
        if (casPhase(NEW, RUNNING) == -1) {
            return false;
        }
        int s = casPhase(RUNNING, EXITING); // nothing else moves a task that has no thread
        assert s != -1 : "tid " + id + ": a retired task moved";
        return true;
    }

    /** Sets FAILS_ALONE: a failure of this task ends it only, whatever its group's policy. On its own thread. */
    public void markFailsAlone() {
        assert current() == this;
        setFlag(FAILS_ALONE, 0);
    }

    /** Whether a failure of this task ends it only (FAILS_ALONE). */
    public boolean failsAlone() {
        return (stateVolatile() & FAILS_ALONE) != 0;
    }

    /**
     * Sets KILLED and ends whatever wait the task is in (contract K1–K4, DESIGN I4): O(1), never waits.
     *
     * @return whether this call killed the task; false if already killed, exiting or ended
     */
    public boolean kill() {
        return kill(0);
    }

    /**
     * {@link #kill()} with a reason recorded in the same CAS as the KILLED flag.
     *
     * @param reason the ordinal of the kill's {@code KillReason}, 0 to 3 (0: an explicit kill)
     * @return whether this call killed the task
     */
    public boolean kill(int reason) {
        if (!setKilled(reason)) {
            return false;
        }
        wakeForKill();
        return true;
    }

    /**
     * The first half of {@link #kill()}: sets KILLED without waking the task. A group kill sets the flag
     * on every member before waking any, so that no member, woken early by another's death (a joiner of
     * a killed task), can end with a status of its own.
     *
     * @return whether this call set it
     */
    public boolean setKilled() {
        return setKilled(0);
    }

    /**
     * {@link #setKilled()} with a reason recorded in the same CAS (KILL_REASON).
     *
     * @param reason the ordinal of the kill's {@code KillReason}, 0 to 3 (0: an explicit kill)
     * @return whether this call set it
     */
    public boolean setKilled(int reason) {
        assert reason >= 0 && reason <= KILL_REASON >>> KILL_REASON_SHIFT : "tid " + id + ": kill reason " + reason;
        int flags = KILLED | reason << KILL_REASON_SHIFT;
        for (;;) {
            int s = stateVolatile();
            if ((s & UNWINDING) != 0 || phase(s) >= EXITING) {
                return false;
            }
            if (casState(s, s | flags)) {
                return true;
            }
        }
    }

    /** The second half of {@link #kill()}: ends the current wait, or interrupts a running task. */
    public void wakeForKill() {
        WaitNode n = (WaitNode) CURRENT_WAIT.getVolatile(this);
        if (n == null || !n.kill()) {
            interruptIfRunning(); // contract K4: the task may be in a JDK blocking call
            int s = stateVolatile();
            if (phase(s) == NEW && (s & HANDED_OUT) != 0) {
                owner.handedOutKilledBeforeStart(this); // H1: its thread may never start; the owner retires it
            }
        }
    }

    private void interruptIfRunning() {
        interruptIntent = true; // before reading the phase: beginExit reads it after its CAS (Dekker)
        synchronized (this) { // the record's monitor (see the field notes); brief and never blocking: no pinning concern
            Thread t = thread;
            if (t != null && phase(stateVolatile()) < EXITING) {
                t.interrupt();
            }
        }
    }

    /**
     * Marks the current task as exiting by its own request ({@code exit()}, {@code exitGroup()}).
     * Must be called on the task's own thread.
     *
     * @param value the task's result for its joiners ({@code pthread_exit(value)}); {@code null} for exitGroup
     * @return false if the task is already killed or already exiting
     */
    public boolean requestExit(int code, Object value) {
        assert current() == this;
        Rare r = rare();
        r.requestedExitCode = code;
        r.requestedExitValue = value; // plain: the flag's CAS below publishes it to the runner (same thread anyway)
        return setFlag(EXIT_REQUESTED, KILLED);
    }

    /**
     * Safe point: throws if the task was killed or asked to exit (contract K4, K5).
     *
     * @throws TaskKilledError if killed
     * @throws TaskExitSignal if an exit was requested
     */
    @Override
    public void checkpoint() {
        int s = stateVolatile();
        if ((s & UNWINDING) != 0 || phase(s) == EXITING) {
            throw unwindingThrowable();
        }
    }

    /** The throwable a blocking call throws when its wait ended by kill. */
    public Error unwindingThrowable() {
        int s = stateVolatile();
        if ((s & EXIT_REQUESTED) != 0) {
            return new TaskExitSignal(id);
        }
        if ((s & KILLED) != 0) {
            return new TaskKilledError(id, name); // no stack walk: a mass kill throws one per task
        }
        return new TaskKilledError("task " + id + " (" + name + ") is exiting: no tasklife waits in its exit sequence");
    }

    @Override
    public boolean beginWait(WaitNode n) {
        assert current() == this : "tid " + id + ": wait on a foreign thread";
        CURRENT_WAIT.setVolatile(this, n);
        foldSlice();
        for (;;) {
            int s = stateVolatile();
            if ((s & UNWINDING) != 0 || phase(s) != RUNNING) {
                return false; // I3: kill seen after publishing; or EXITING refuses waits
            }
            if (casState(s, (s & ~PHASE) | BLOCKED)) {
                return true;
            }
        }
    }

    @Override
    public void endWait(WaitNode n) {
        CURRENT_WAIT.setVolatile(this, null);
        casPhase(BLOCKED, RUNNING); // -1 when beginWait refused: the phase never left RUNNING
        long now = clock.nanoTime();
        sliceStart = now;
        runSince = now;
    }

    /**
     * RUNNING -> EXITING on the task's own thread: refuses further waits and interrupts.
     *
     * @return the state word replaced; {@link #wasKilled(int)} on it decides the status (contract K6)
     */
    public int beginExit() {
        int s = casPhase(RUNNING, EXITING);
        assert s != -1 : "tid " + id + ": exit from phase " + phase(stateVolatile());
        if (interruptIntent) {
            synchronized (this) {
                // empty on purpose: a kill that read RUNNING has finished interrupting once we get here
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            Thread.interrupted(); // the exit sequence (destructors, close()) runs uninterrupted
        }
        foldSlice();
        return s;
    }

    /**
     * Runs the registered task-exit hooks (task-local destructors) in rounds, recording failures. A hook
     * may register hooks again (a destructor that sets a task-local value): they run in the next round,
     * for at most {@link #EXIT_HOOK_ROUNDS} rounds (POSIX {@code PTHREAD_DESTRUCTOR_ITERATIONS}). Hooks
     * still registered after the last round are run once more with {@link #exitHookRound()} past the
     * limit, to drop what they hold; what they throw is recorded, as a close failure, like any hook's.
     */
    public void runExitHooks() {
        List<Throwable> failures = new ArrayList<>(0);
        for (int round = 1; hasExitHooks() && round <= EXIT_HOOK_ROUNDS; round++) {
            exitHookRound = round;
            runHooks(failures);
        }
        exitHookRound = EXIT_HOOK_ROUNDS + 1;
        runHooks(failures); // leftovers: each drops its value and reports it
        assert !hasExitHooks() : "tid " + id + ": an exit hook registered after the exit hook rounds";
        recordCloseFailures(failures);
    }

    private void runHooks(List<Throwable> failures) {
        Rare r = rare;
        List<Runnable> hooks = r == null ? null : r.exitHooks;
        if (hooks == null) {
            return;
        }
        r.exitHooks = null; // hooks registered while these run form the next round
        for (int i = hooks.size() - 1; i >= 0; i--) {
            try {
                hooks.get(i).run();
            } catch (Throwable t) {
                failures.add(t);
            }
        }
    }

    /**
     * The round of exit hooks running now, on the task's own thread: 0 before they run, 1 to
     * {@link #EXIT_HOOK_ROUNDS} during the rounds, {@code EXIT_HOOK_ROUNDS + 1} once the rounds are over
     * (a hook run then must drop what it holds rather than run a destructor).
     */
    public int exitHookRound() {
        assert current() == this;
        return exitHookRound;
    }

    /**
     * Registers {@code watch} to be told when this task is dead for the objects it holds: at the end of
     * its exit sequence, or when it is declared stuck and its resources are force-closed (contract K8).
     * Used by robust mutexes (contract §9) to hand a dead owner's mutex on. Watches are kernel code: they
     * run with no lock held, on the exiting task's thread or the reaper's.
     *
     * @return false, registering nothing, if the task is already dead (the caller handles it itself)
     */
    public boolean watchDeath(Consumer<TaskControlBlock> watch) {
        synchronized (this) {
            if (deathFired) {
                return false;
            }
            Rare r = rare();
            if (r.deathWatches == null) {
                r.deathWatches = new ArrayList<>(2);
            }
            r.deathWatches.add(watch);
            return true;
        }
    }

    /** Removes one registration of {@code watch}, if present. */
    public void unwatchDeath(Consumer<TaskControlBlock> watch) {
        synchronized (this) {
            Rare r = rare;
            if (r != null && r.deathWatches != null) {
                r.deathWatches.remove(watch);
            }
        }
    }

    /** Whether {@link #fireDeathWatches()} ran: the task holds nothing any more. */
    public boolean isDead() {
        return deathFired;
    }

    /** Declares the task dead for what it holds and tells every watch, once; later calls do nothing. */
    public void fireDeathWatches() {
        List<Consumer<TaskControlBlock>> fired;
        synchronized (this) {
            if (deathFired) {
                return;
            }
            deathFired = true;
            Rare r = rare;
            fired = r == null ? null : r.deathWatches;
            if (r != null) {
                r.deathWatches = null;
            }
        }
        if (fired != null) {
            for (Consumer<TaskControlBlock> w : fired) {
                w.accept(this); // outside the monitor: watches take their primitive's lock
            }
        }
    }

    /** Whether exit hooks (task-local destructors) are registered; only on the task's own thread. */
    public boolean hasExitHooks() {
        Rare r = rare;
        return r != null && r.exitHooks != null;
    }

    /** Registers a hook run at exit before owned resources close; only on the task's own thread. */
    public void addExitHook(Runnable hook) {
        assert current() == this;
        Rare r = rare();
        if (r.exitHooks == null) {
            r.exitHooks = new ArrayList<>(2);
        }
        r.exitHooks.add(hook);
    }

    /**
     * EXITING -> TERMINATED: publishes the status, wakes every joiner, completes {@link #onExit()}.
     * Runs on the task's own thread, after its resources are closed and with no lock held.
     */
    public void publish(ExitStatus exitStatus, Object exitResult) {
        if (platform) {
            long t = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
            if (t >= 0) {
                cpuNanos = t;
            }
        }
        publishStatus(exitStatus, exitResult, true);
    }

    /**
     * EXITING -> TERMINATED for a task retired before its thread started (H1), on the reaper's thread: as
     * {@link #publish}, but this thread is not the task's and keeps what it runs as.
     */
    public void publishRetired(ExitStatus exitStatus) {
        publishStatus(exitStatus, null, false);
    }

    private void publishStatus(ExitStatus exitStatus, Object exitResult, boolean ownThread) {
        this.status = exitStatus;
        this.result = exitResult;
        int s = casPhase(EXITING, TERMINATED);
        assert s != -1 : "tid " + id + ": published twice";
        ExitWatch w = (ExitWatch) EXIT_WATCH.getVolatile(this); // T5: after the TERMINATED CAS
        if (w != null && EXIT_WATCH.compareAndSet(this, w, null)) {
            w.watchedTaskEnded();
        }
        if (ownThread) {
            CURRENT.set(owner.authorityToken()); // A1: what this thread still runs (group end, onExit) is the owner's work
        }
        // T4: read after the TERMINATED CAS; a joiner or onExit() caller that created its object after
        // this read sees TERMINATED itself (both sides are volatile: one sees the other)
        WaitQueue q = joiners;
        if (q != null) {
            q.signalAll();
        }
        CompletableFuture<ExitStatus> f = onExit;
        if (f != null) {
            f.complete(exitStatus);
        }
    }

    /**
     * Puts the task under {@code w} (a kill's grace period, T5): {@code w} is told once when the task has
     * published its status.
     *
     * @return false if the task has already published (or is under another watch): the caller counts it as
     *     ended itself, and {@code w} is never told about it
     */
    public boolean watchExit(ExitWatch w) {
        if (!EXIT_WATCH.compareAndSet(this, null, w)) {
            assert false : "tid " + id + " is under two exit watches";
            return false;
        }
        // T5: publish() CASes TERMINATED, then reads exitWatch; one of us sees the other, and whoever takes
        // the watch back out by CAS is the one that counts this task
        return !(isTerminated() && EXIT_WATCH.compareAndSet(this, w, null));
    }

    /** Sets DETACHED. @return false if it was already set */
    public boolean markDetached() {
        return setFlag(DETACHED, 0);
    }

    /** Sets JOINED. @return whether this call set it */
    public boolean markJoined() {
        return setFlag(JOINED, 0);
    }

    /** Sets DISPOSED once the task ended. @return whether this call set it */
    public boolean markDisposed() {
        for (;;) {
            int s = stateVolatile();
            if ((s & DISPOSED) != 0 || phase(s) != TERMINATED) {
                return false;
            }
            if (casState(s, s | DISPOSED)) {
                return true;
            }
        }
    }

    // ---- time slices (default mode) ----

    /**
     * Whether the task has run a whole slice of {@code slicer} since it last got a carrier. Called on the
     * task's own thread, at a safe point: one plain and one opaque load.
     */
    public boolean sliceOver(TimeSlicer slicer) {
        assert current() == this : "tid " + id + ": slice checked on a foreign thread";
        return slicer.isOver(runSince);
    }

    /** Starts a new slice after the task gave its carrier up; on the task's own thread. */
    public void newSlice() {
        assert current() == this : "tid " + id + ": slice restarted on a foreign thread";
        runSince = clock.nanoTime();
    }

    /**
     * Clock nanos when the task last got a carrier (started, ended a wait, gave its carrier up at a safe
     * point): read by the reaper from another thread, racily (a plain long, aligned, so never torn on the
     * 64-bit JVMs tasklife runs on); a stale value only makes a task look held up longer or shorter.
     */
    public long runSinceNanos() {
        return runSince;
    }

    // ---- CPU time ----

    private void foldSlice() {
        long start = sliceStart;
        if (start != -1) {
            sliceStart = -1;
            if (!platform) {
                cpuNanos += clock.nanoTime() - start;
            }
        }
    }

    /** CPU time used so far: exact for platform threads, run slices for virtual ones. */
    public long cpuTimeNanos() {
        if (platform) {
            Thread t = thread;
            if (t != null && !isTerminated() && THREADS.isThreadCpuTimeSupported()) {
                long v = THREADS.getThreadCpuTime(t.threadId());
                if (v >= 0) {
                    return v;
                }
            }
            return cpuNanos;
        }
        long start = sliceStart;
        long acc = cpuNanos;
        return start == -1 ? acc : acc + Math.max(0, clock.nanoTime() - start);
    }

    // ---- inheritable task-local values (confined to the task's own thread) ----

    /**
     * Registers {@code inheritor} (once: a second registration of the same object is ignored) to be asked at each
     * spawn this task makes; only on the task's own thread. The inheritable task-local keys register one each.
     */
    public void addInheritor(Function<TaskControlBlock, Runnable> inheritor) {
        assert current() == this;
        Rare r = rare();
        if (r.inheritors == null) {
            r.inheritors = new ArrayList<>(2);
        } else {
            for (Function<TaskControlBlock, Runnable> i : r.inheritors) {
                if (i == inheritor) {
                    return;
                }
            }
        }
        r.inheritors.add(inheritor);
    }

    /**
     * At a spawn by this task, on its own thread: asks every inheritor for what the new task inherits (each answers
     * a step to run on the new task's thread before its body, or {@code null}), in the order they registered.
     *
     * @return the steps as one, or {@code null} if there is nothing to inherit (the common case costs a null check)
     * @throws RuntimeException whatever an inheritor throws (a key's child-value function): nothing was run yet
     */
    public Runnable captureInherited() {
        Rare r = rare;
        List<Function<TaskControlBlock, Runnable>> all = r == null ? null : r.inheritors;
        if (all == null) {
            return null;
        }
        List<Runnable> steps = null;
        for (Function<TaskControlBlock, Runnable> i : all) {
            Runnable step = i.apply(this);
            if (step != null) {
                if (steps == null) {
                    steps = new ArrayList<>(all.size());
                }
                steps.add(step);
            }
        }
        if (steps == null) {
            return null;
        }
        List<Runnable> inherited = steps;
        return () -> inherited.forEach(Runnable::run);
    }

    // ---- the thread's Runnable ----

    /**
     * Sets the body that {@link #run()} hands to the owner; once, before the task's thread is made (the record is
     * that thread's Runnable: memory per task, no separate start object).
     */
    public void setBody(Callable<?> body) {
        assert this.body == null && thread == null : "tid " + id + ": body set twice";
        this.body = body;
    }

    /**
     * The task's thread body: enters the owner ({@link TaskOwner#enterTask}), calls the body, and hands the outcome
     * to the owner's exit sequence ({@link TaskOwner#exitTask}). Only the thread made for this task runs it, once.
     * The body is called from this frame, not through the owner's layers: every frame below a parked task's body
     * stays in its frozen stack for as long as it waits (memory per task, the thaw of a mass kill).
     */
    @Override
    public void run() {
        Callable<?> b = body;
        body = null; // the running frame holds it now; the record need not
        TaskOwner o = owner;
        Object result = null;
        Throwable failure = null;
        try {
            if (o.enterTask(this)) {
                result = b.call();
            }
        } catch (Throwable e) {
            failure = e;
        }
        o.exitTask(this, result, failure);
    }

    // ---- the owner's list of records (intrusive links, guarded by the owner's lock) ----

    /** The previous record in the owner's list, or {@code null}; only under the owner's lock. */
    public TaskControlBlock memberPrev() {
        return memberPrev;
    }

    /** The next record in the owner's list, or {@code null}; only under the owner's lock. */
    public TaskControlBlock memberNext() {
        return memberNext;
    }

    /** Sets both links in the owner's list; only under the owner's lock. */
    public void setMemberLinks(TaskControlBlock prev, TaskControlBlock next) {
        this.memberPrev = prev;
        this.memberNext = next;
    }

    /** Sets the previous link in the owner's list; only under the owner's lock. */
    public void setMemberPrev(TaskControlBlock prev) {
        this.memberPrev = prev;
    }

    /** Sets the next link in the owner's list; only under the owner's lock. */
    public void setMemberNext(TaskControlBlock next) {
        this.memberNext = next;
    }

    /**
     * The id's hash: the task table finds a record by its id without a boxed key (equality stays identity, and
     * ids are unique and never change, so this agrees with it).
     */
    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public String toString() {
        return "Task[" + id + " " + name + " " + taskState() + (isKilled() ? " killed" : "") + "]";
    }
}
