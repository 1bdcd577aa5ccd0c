package org.tasklife.internal.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.time.VirtualClock;
import org.tasklife.internal.wait.Dispatch;
import org.tasklife.internal.wait.WaitNode;

/**
 * Scheduler mode: the kernel owns N CPUs, as N tokens. A task runs its code only while it
 * holds a token; it gives it back when it parks in a tasklife wait, at a safe point once its time slice
 * is over and another task waits for that CPU, and when it exits. The next task of that CPU's run queue
 * ({@link RunQueue}: priority classes, aging, real-time bandwidth) gets the token.
 *
 * <p>Deterministic mode: one CPU, {@link Choices} (a seed, or the schedule explorer's script) and a
 * {@link VirtualClock}. The next task is a choice among every runnable task, safe points switch tasks
 * on a choice too, and when no task is runnable the virtual clock jumps to the next timer deadline and
 * the due timers fire on the releasing thread.
 * Every hand-off is made by the token holder, so the interleaving of tasklife calls is a function of
 * the choices; {@link #trace()} records it.
 */
public final class CpuScheduler implements Dispatch {
    /*
     * Implementation notes
     *
     * State of a task (under lock): running (holds a token: cpu.holder == it), queued (in a run queue),
     * parked (neither: in a tasklife wait, or not started), dead. hasToken is volatile because the task
     * spins on it outside the lock.
     *
     * Invariants:
     *  S1 a CPU has at most one holder; a task holds at most one token; only the holder runs task code.
     *  S2 a task is granted a token only while queued; grant = dequeue + holder + hasToken, under lock,
     *     and the grantee is unparked after unlocking.
     *  S3 a wake-up for a task that still holds its token (it is between linking its wait node and
     *     parking) is remembered in wakePending, and its next park returns at once instead of giving up
     *     the token: no lost wake-up.
     *  S4 a dead task is never queued and never granted (awkernel K8: no terminal task is re-enqueued).
     *  S5 with work stealing on, outside the lock no CPU is free while any run queue holds a task whose
     *     affinity allows that CPU. Why it holds: a CPU is free with an empty queue only when its last
     *     release found nothing to take, from its own queue nor by stealing; from then on it has load 0,
     *     the least there is, so placement puts on it (or on another free CPU) every task that becomes
     *     runnable and may run there, and grants it at once.
     *
     *  S6 (non-deterministic mode) a safe point switches only if needResched is set; the tick sets it on a
     *     holder whose slice is over while its CPU's queue is not empty, and every grant clears it. The
     *     switch itself is decided again under the lock (shouldSwitchLocked), so a stale flag (the queue
     *     emptied since) costs one lock, never a needless switch. Deterministic mode decides at every safe
     *     point under the lock (its choices must be asked in order).
     *
     *  S7 (non-deterministic mode) wake-up preemption: when a task queued on a CPU is of a more urgent
     *     class than that CPU's holder (real-time over normal and idle, normal over idle), or a real-time
     *     task of a lower number than a real-time holder, the holder switches at its next safe point
     *     whatever is left of its slice (RunQueue.preempts). Between normal priorities, slices and aging
     *     decide, so that wake-ups do not thrash.
     *
     * Work stealing (non-deterministic mode, Builder.workStealing, on by default): placement happens only
     * when a task becomes runnable, so tasks queued while every CPU was busy stay on the CPU they were
     * placed on. When a CPU is released (park, yield, preempt, exit) and its own queue is empty, it
     * steals instead of idling: the victim is the CPU with the longest queue, ties to the lowest id,
     * skipping a queue that holds no task allowed on the thief (then the next longest is tried); the task
     * is the one that queue would dispatch first among those whose affinity contains the thief
     * (RunQueue.takeFirstMatching: its class and aging order, real-time bandwidth aside). A task pinned
     * away from the thief is never taken. The stolen task's cpu becomes the thief and it is granted there
     * in the same critical section (S2: it was queued until then), and unparked after unlocking like any
     * grantee. A steal is not a dispatch of the victim: its other tasks' aging is unchanged. The victim's
     * load was at least 2 (a holder and the stolen task) and the thief's 0, so a steal never unbalances.
     * Cost: one scan of the CPUs and of the victim's queue under the lock, only on a release that would
     * otherwise idle the CPU. Deterministic mode has one CPU and never steals.
     *
     * Kill (awkernel K6): a kill decides the victim's wait node and wakes it through wake(), so a parked
     * victim is queued and, once dispatched, returns from its wait with KILLED; a queued or running
     * victim sees its kill bit at its next safe point. Nothing here knows kills: the kill is in the task's
     * state word, which the kernel checks after every dispatch.
     *
     * Why one file over 500 lines: every method reads or writes the CPUs' holders and queues under the one
     * scheduler lock, and the invariants S1-S7 hold across all of them (grant, release, steal, preempt, tick);
     * RunQueue (the per-CPU policy), CpuSet and PriorityClass are already apart.
     *
     * Known limits: preemption only at tasklife calls (a loop that never calls the kernel keeps its CPU);
     * blocking outside tasklife while holding a token stalls that CPU; work moves between CPUs only at
     * placement (a task that becomes runnable goes to the least-loaded CPU its affinity allows) and by a
     * steal on a release: a queued task never migrates to a busy CPU whose queue is shorter (no periodic
     * rebalancing), and a steal takes the victim's best task allowed on the thief, not the most urgent
     * task of all queues. With work stealing off, a CPU whose queue is empty idles on release even while
     * another CPU's queue holds tasks it may run.
     */

    /** One task as the scheduler sees it. */
    public static final class Entity {
        final Thread thread;
        final long id;
        final int priority;
        final CpuSet affinity;
        int cpu = -1;
        volatile boolean hasToken;
        volatile boolean needResched; // set by the tick when its slice is over and others wait (S6)
        boolean queued;
        boolean wakePending;
        boolean dead;
        long tokenSince;
        volatile long cpuNanos;

        Entity(Thread thread, long id, int priority, CpuSet affinity) {
            this.thread = thread;
            this.id = id;
            this.priority = priority;
            this.affinity = affinity;
        }

        /** Nanoseconds this task held a token (exact CPU time in scheduler mode, contract T2). */
        public long cpuNanos() {
            return cpuNanos;
        }

        /** The CPU it last ran or is queued on, or -1. */
        public int cpu() {
            return cpu;
        }

        /** Its priority. */
        public int priority() {
            return priority;
        }
    }

    private static final class Cpu {
        final int id;                       // immutable: its index in cpus
        final RunQueue<Entity> queue = new RunQueue<>();
        Entity holder;

        Cpu(int id) {
            this.id = id;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Cpu[] cpus;
    private final boolean[] online;
    private final ConcurrentHashMap<Thread, Entity> byThread = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Entity> byId = new ConcurrentHashMap<>(); // for snapshots
    private final long sliceNanos;
    private final Clock cpuClock;           // immutable: slices and CPU time (STYLE G13: never System.nanoTime)
    private final Choices choices;          // deterministic mode only; asked under lock
    private final List<Entity> detReady;    // deterministic mode: every runnable task; guarded by lock
    private final VirtualClock virtualClock; // deterministic mode only
    private TimerService timers;            // deterministic mode only; set once before any task runs
    private boolean advancing;              // deterministic mode: timers are firing; guarded by lock
    private long violations;                // S1/S4 breaches seen (a dead task granted, two holders); guarded by lock
    private final boolean workStealing;     // immutable; never in deterministic mode
    private long steals;                    // tasks taken by a free CPU from another's queue; guarded by lock
    private volatile boolean closed;
    private volatile Thread watchdog;
    private volatile Thread tick;           // non-deterministic mode: marks slices that are over (S6)
    private final List<String> trace;       // deterministic mode only; guarded by lock

    private CpuScheduler(int n, long sliceNanos, Clock cpuClock, Choices choices, VirtualClock virtualClock,
            boolean workStealing) {
        assert choices == null || !workStealing : "deterministic mode never steals";
        this.cpuClock = cpuClock;
        this.workStealing = workStealing;
        this.cpus = new Cpu[n];
        this.online = new boolean[n];
        for (int i = 0; i < n; i++) {
            cpus[i] = new Cpu(i);
            online[i] = true;
        }
        this.sliceNanos = sliceNanos;
        this.choices = choices;
        this.virtualClock = virtualClock;
        this.detReady = choices == null ? null : new ArrayList<>();
        this.trace = choices == null ? null : new ArrayList<>();
        OPEN.incrementAndGet();
        anyOpen = true;
    }

    /** How the watchdog's reports begin (their wait channel): a task blocked outside tasklife holding a CPU. */
    public static final String BLOCKED_OUTSIDE = "blocked outside tasklife";

    /** How many schedulers are open in this JVM: primitives skip their safe points while there is none. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();
    private static volatile boolean anyOpen;

    /** Whether any scheduler is open in this JVM (a plain volatile read: the primitives' fast paths ask). */
    public static boolean anyOpen() {
        return anyOpen;
    }

    /** A scheduler of {@code n} CPUs with time slices of {@code sliceNanos}, and work stealing on. */
    public static CpuScheduler ofCpus(int n, long sliceNanos) {
        return ofCpus(n, sliceNanos, true);
    }

    /**
     * A scheduler of {@code n} CPUs with time slices of {@code sliceNanos}.
     *
     * @param workStealing whether a CPU released with an empty run queue takes a task queued on another
     *     CPU whose affinity allows it (see the implementation notes), instead of idling
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static CpuScheduler ofCpus(int n, long sliceNanos, boolean workStealing) {
        return ofCpus(n, sliceNanos, workStealing, Clock.system());
    }

    /**
     * A scheduler of {@code n} CPUs with time slices of {@code sliceNanos} measured on {@code cpuClock}
     * (also the clock of the tasks' CPU time in scheduler mode).
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static CpuScheduler ofCpus(int n, long sliceNanos, boolean workStealing, Clock cpuClock) {
        if (n < 1) {
            throw new IllegalArgumentException("cpus must be at least 1, was " + n);
        }
        CpuScheduler s = new CpuScheduler(n, sliceNanos, java.util.Objects.requireNonNull(cpuClock, "cpuClock"), null,
                null, workStealing);
        if (sliceNanos < Long.MAX_VALUE / 2) {
            s.startTick();
        }
        return s;
    }

    /**
     * S6: the scheduler's clock interrupt. Every half slice (at least 100 µs, at most 1 s) it marks each
     * CPU holder whose slice is over while another task waits for that CPU, so that a safe point costs one
     * volatile read instead of a clock read and a lock; the holder then switches at its next safe point
     * (Linux's need_resched). A slice therefore ends within 1.5 slices.
     */
    private void startTick() {
        long period = Math.max(100_000L, Math.min(sliceNanos / 2, 1_000_000_000L));
        Thread t = Thread.ofPlatform().daemon().name("tasklife-cpu-tick").unstarted(() -> {
            while (!closed) {
                LockSupport.parkNanos(this, period);
                long now = cpuClock.nanoTime();
                lock.lock();
                try {
                    for (Cpu c : cpus) {
                        Entity h = c.holder;
                        if (h != null && !h.needResched && c.queue.size() > 0 && now - h.tokenSince >= sliceNanos) {
                            h.needResched = true;
                        }
                    }
                } finally {
                    lock.unlock();
                }
            }
        });
        tick = t;
        t.start();
    }

    /**
     * The deterministic scheduler: one CPU, decisions from {@code choices}, time from {@code clock}. The CPU
     * time of its tasks is still measured on the system clock: the virtual clock stands still while a task
     * runs.
     */
    public static CpuScheduler deterministic(Choices choices, VirtualClock clock) {
        return new CpuScheduler(1, Long.MAX_VALUE, Clock.system(), java.util.Objects.requireNonNull(choices, "choices"),
                clock, false);
    }

    /** Gives the deterministic scheduler the timers it fires when every task is blocked. */
    public void driveTimers(TimerService t) {
        this.timers = t;
    }

    /** Whether this is the deterministic mode. */
    public boolean isDeterministic() {
        return choices != null;
    }

    /** Number of CPUs. */
    public int cpuCount() {
        return cpus.length;
    }

    // ---- task life ----

    /**
     * Registers the thread of a task about to start (at spawn, before anything is committed).
     *
     * @throws IllegalArgumentException if {@code affinity} allows none of this scheduler's CPUs
     */
    public Entity admit(Thread thread, long id, int priority, CpuSet affinity) {
        CpuSet allowed = affinity == null ? CpuSet.firstN(cpus.length) : affinity;
        Placement.leastLoaded(new int[cpus.length], online, allowed); // throws, naming the mask
        Entity e = new Entity(thread, id, priority, allowed);
        byThread.put(thread, e);
        byId.put(id, e);
        return e;
    }

    /** Undoes {@link #admit} for a thread that did not start. */
    public void forget(Thread thread) {
        Entity e = byThread.remove(thread);
        if (e != null) {
            byId.remove(e.id);
        }
    }

    /** The entity of the calling thread, or {@code null} (host code, or a task of no scheduler). */
    public Entity current() {
        return byThread.get(Thread.currentThread());
    }

    /**
     * Right after the spawner started the thread of an admitted task: the task becomes runnable. Done by
     * the spawner, not the new thread, so that in deterministic mode the token holder makes the change.
     */
    public void started(Thread thread) {
        Entity e = byThread.get(thread);
        if (e != null) {
            makeRunnable(e, "start");
        }
    }

    /** First thing on a task's thread: waits for its CPU (it was made runnable by {@link #started}). */
    public void start(Entity e) {
        awaitToken(e);
    }

    /** Last thing on a task's thread: gives its CPU to the next task and forgets it. */
    public void exit(Entity e) {
        Entity next;
        lock.lock();
        try {
            e.dead = true;
            removeQueuedLocked(e);
            next = e.hasToken ? releaseLocked(e, "exit") : null;
            byThread.remove(e.thread);
            byId.remove(e.id);
        } finally {
            lock.unlock();
        }
        handOver(next);
    }

    // ---- Dispatch ----

    @Override
    public void park(WaitNode node) {
        Entity e = current();
        if (e == null) {
            if (choices != null) {
                advanceVirtualTime(); // the tasks may all be blocked already: then only the clock can move
                if (node.outcomeVolatile() != WaitNode.WAITING) {
                    return; // decided meanwhile: our lock may have parked and eaten the wake-up's permit
                }
            }
            LockSupport.park(node); // a host thread in a tasklife wait holds no token
            return;
        }
        Entity next;
        lock.lock();
        try {
            if (e.wakePending) {
                e.wakePending = false; // S3: woken before it could give up its token: keep running
                return;
            }
            next = e.hasToken ? releaseLocked(e, "park") : null;
        } finally {
            lock.unlock();
        }
        handOver(next);
        awaitToken(e);
    }

    @Override
    public void wake(Thread thread) {
        Entity e = byThread.get(thread);
        if (e == null) {
            LockSupport.unpark(thread);
            return;
        }
        makeRunnable(e, "wake");
    }

    @Override
    public void safePoint() {
        Entity e = current();
        if (e == null || !e.hasToken) {
            return;
        }
        if (choices == null && !e.needResched) {
            return; // S6: one volatile read at most safe points; the tick decides when a slice is over
        }
        Entity next;
        Entity also;
        lock.lock();
        try {
            if (!shouldSwitchLocked(e)) {
                e.needResched = false; // stale (the queue emptied): the tick sets it again if need be
                return;
            }
            next = releaseLocked(e, "preempt");
            enqueueLocked(e);
            also = grantLocked(cpus[e.cpu], "preempt"); // e may have moved to an idle CPU
        } finally {
            lock.unlock();
        }
        handOver(next);
        handOver(also);
        awaitToken(e);
    }

    /** Gives up the CPU if anyone else can use it (Tasks.yieldNow). */
    public void yieldNow() {
        Entity e = current();
        if (e == null || !e.hasToken) {
            return;
        }
        Entity next;
        Entity also;
        lock.lock();
        try {
            if (!othersRunnableLocked(e)) {
                e.tokenSince = cpuClock.nanoTime(); // a fresh slice
                return;
            }
            next = releaseLocked(e, "yield");
            enqueueLocked(e);
            also = grantLocked(cpus[e.cpu], "yield"); // e may have moved to an idle CPU
        } finally {
            lock.unlock();
        }
        handOver(next);
        handOver(also);
        awaitToken(e);
    }

    // ---- internals ----

    private boolean shouldSwitchLocked(Entity e) {
        if (choices != null) {
            return !detReady.isEmpty() && choices.preempt();
        }
        RunQueue<Entity> q = cpus[e.cpu].queue;
        return q.size() > 0 && (cpuClock.nanoTime() - e.tokenSince >= sliceNanos || q.preempts(e.priority));
    }

    private boolean othersRunnableLocked(Entity e) {
        return choices != null ? !detReady.isEmpty() : cpus[e.cpu].queue.size() > 0;
    }

    private void makeRunnable(Entity e, String why) {
        Entity next;
        lock.lock();
        try {
            if (e.dead || e.queued) {
                return;
            }
            if (e.hasToken) {
                e.wakePending = true; // S3
                return;
            }
            enqueueLocked(e);
            next = grantLocked(cpus[e.cpu], why);
        } finally {
            lock.unlock();
        }
        handOver(next);
    }

    private void enqueueLocked(Entity e) {
        assert !e.dead && !e.queued && !e.hasToken;
        if (choices != null) {
            e.cpu = 0;
            detReady.add(e);
        } else {
            int[] loads = new int[cpus.length];
            for (int i = 0; i < cpus.length; i++) {
                loads[i] = cpus[i].queue.size() + (cpus[i].holder == null ? 0 : 1);
            }
            e.cpu = Placement.leastLoaded(loads, online, e.affinity);
            Cpu c = cpus[e.cpu];
            c.queue.add(e, e.priority);
            if (c.holder != null && c.queue.preempts(c.holder.priority)) {
                c.holder.needResched = true; // S7: a more urgent task does not wait for the slice to end
            }
        }
        e.queued = true;
    }

    private void removeQueuedLocked(Entity e) {
        if (!e.queued) {
            return;
        }
        if (choices != null) {
            detReady.remove(e);
        } else {
            cpus[e.cpu].queue.remove(e);
        }
        e.queued = false;
    }

    /** Takes {@code e}'s token and grants it to the next task of that CPU (returned: unpark it). */
    private Entity releaseLocked(Entity e, String why) {
        Cpu c = cpus[e.cpu];
        if (c.holder != e) {
            violations++; // S1 broken: releasing a CPU it does not hold
        }
        c.holder = null;
        e.hasToken = false;
        e.cpuNanos += cpuClock.nanoTime() - e.tokenSince;
        return grantLocked(c, why);
    }

    /** S2: if the CPU is free, its next queued task gets the token. @return the grantee, or null */
    private Entity grantLocked(Cpu c, String why) {
        if (c.holder != null || advancing) {
            return null; // while timers fire, nobody runs: the advancer grants once they all fired
        }
        Entity next;
        if (choices != null) {
            next = detReady.isEmpty() ? null : detReady.remove(choices.pick(detReady.size()));
        } else {
            next = c.queue.next();
            if (next == null && workStealing) {
                next = stealLocked(c); // S5: a free CPU does not idle while it may run a queued task
            }
        }
        if (next == null) {
            return null;
        }
        if (next.dead) {
            violations++; // S4 broken: counted for the awkernel property tests, never expected
        }
        next.queued = false;
        c.holder = next;
        next.needResched = false; // a fresh slice
        next.tokenSince = cpuClock.nanoTime();
        next.hasToken = true;
        if (trace != null) {
            trace.add("t" + next.id + " " + why + " @" + virtualClock.nanoTime());
        }
        return next;
    }

    /**
     * Work stealing: {@code thief} is free and its queue is empty. Takes from the CPU with the longest
     * queue (ties to the lowest id; a queue with no task allowed on the thief is skipped for the next
     * longest) the task that queue would dispatch first among those whose affinity contains the thief,
     * and moves it to the thief. The task stays marked queued: the caller grants it (S2).
     *
     * @return the stolen task, or {@code null} if no queue holds a task the thief may run
     */
    private Entity stealLocked(Cpu thief) {
        assert lock.isHeldByCurrentThread() && choices == null && thief.holder == null && thief.queue.size() == 0;
        if (cpus.length == 1 || !online[thief.id]) {
            return null; // one CPU: nobody to steal from (and no allocation on each idle release)
        }
        boolean[] tried = new boolean[cpus.length];
        tried[thief.id] = true;
        for (;;) {
            Cpu victim = null;
            for (Cpu c : cpus) {
                if (!tried[c.id] && c.queue.size() > 0 && (victim == null || c.queue.size() > victim.queue.size())) {
                    victim = c; // strictly longer: ties stay with the lowest id
                }
            }
            if (victim == null) {
                return null;
            }
            tried[victim.id] = true;
            Entity stolen = victim.queue.takeFirstMatching(t -> t.affinity.contains(thief.id));
            if (stolen != null) {
                assert stolen.queued && !stolen.dead && !stolen.hasToken;
                stolen.cpu = thief.id;
                steals++;
                return stolen;
            }
        }
    }

    /** Unparks the grantee; in deterministic mode, with nobody runnable, lets virtual time pass. */
    private void handOver(Entity next) {
        if (next != null) {
            LockSupport.unpark(next.thread);
        } else if (choices != null) {
            advanceVirtualTime();
        }
    }

    /** Deterministic mode, CPU idle: jump to the next deadline and fire what is due, until someone runs. */
    private void advanceVirtualTime() {
        long[] deadline = new long[1];
        while (timers != null) {
            lock.lock();
            try {
                if (advancing || cpus[0].holder != null || !detReady.isEmpty()) {
                    return; // someone runs, will be granted by whoever queued it, or another thread advances
                }
                advancing = true;
            } finally {
                lock.unlock();
            }
            Entity next = null;
            try {
                if (!timers.nextDeadline(deadline)) {
                    return; // every task is blocked for good: only the host can change that
                }
                virtualClock.advanceTo(deadline[0]);
                timers.fireDue(); // every wake queues its task; no grant until all due timers fired
            } finally {
                lock.lock();
                try {
                    advancing = false;
                    next = grantLocked(cpus[0], "timer");
                } finally {
                    lock.unlock();
                }
            }
            if (next != null) {
                LockSupport.unpark(next.thread);
                return;
            }
        }
    }

    private void awaitToken(Entity e) {
        boolean interrupted = false;
        while (!e.hasToken) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true; // a kill interrupts running tasks: keep it for the task, not for us
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- blocking outside tasklife ----

    /**
     * Starts the watchdog: a daemon thread that looks at every CPU holder each {@code periodMillis} and
     * calls {@code report} once for a task seen twice in a row holding its CPU while its thread is blocked
     * outside tasklife (a JDK lock, {@code Object.wait}, {@code Thread.sleep}, I/O): that CPU is stalled,
     * and in deterministic mode the run would hang silently.
     */
    public void startWatchdog(long periodMillis, java.util.function.BiConsumer<Long, String> report) {
        Thread w = Thread.ofPlatform().daemon().name("tasklife-cpu-watchdog").unstarted(() -> {
            java.util.Map<Entity, Long> seen = new java.util.HashMap<>();
            java.util.Set<String> reported = new java.util.HashSet<>();
            while (!closed) {
                java.util.Map<Entity, Long> now = new java.util.HashMap<>();
                lock.lock();
                try {
                    for (int i = 0; i < cpus.length; i++) {
                        Entity h = cpus[i].holder;
                        if (h != null && blockedOutside(h)) {
                            now.put(h, h.tokenSince);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                for (var e : now.entrySet()) {
                    Long before = seen.get(e.getKey());
                    if (before != null && before.equals(e.getValue()) && reported.add(e.getKey().id + "@" + e.getValue())) {
                        report.accept(e.getKey().id, BLOCKED_OUTSIDE + " while holding CPU " + e.getKey().cpu
                                + " (thread " + e.getKey().thread.getState() + "): the CPU is stalled");
                    }
                }
                seen = now;
                LockSupport.parkNanos(this, periodMillis * 1_000_000L);
            }
        });
        watchdog = w;
        w.start();
    }

    private boolean blockedOutside(Entity h) {
        Thread.State st = h.thread.getState();
        boolean blocked = st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING || st == Thread.State.BLOCKED;
        return blocked && LockSupport.getBlocker(h.thread) != this; // parked in awaitToken: just granted
    }

    /** Stops the watchdog and the tick (idempotent; called once, by the kernel's close). */
    public void close() {
        if (!closed && OPEN.decrementAndGet() == 0) {
            anyOpen = false;
        }
        closed = true;
        Thread w = watchdog;
        if (w != null) {
            LockSupport.unpark(w);
        }
        Thread t = tick;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    // ---- introspection ----

    /** Breaches of S1 (one holder per CPU) or S4 (no dead task granted) seen so far: tests expect 0. */
    public long invariantViolations() {
        lock.lock();
        try {
            return violations;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a free CPU with an empty run queue steals tasks queued on other CPUs (never in deterministic mode). */
    public boolean workStealing() {
        return workStealing;
    }

    /** Tasks a free CPU has taken from another CPU's run queue so far (work stealing). */
    public long steals() {
        lock.lock();
        try {
            return steals;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where a task is, for snapshots.
     *
     * @param runQueuePosition 0 holding its CPU, n ≥ 1 waiting for it, -1 parked
     */
    public record Placed(int cpu, int priority, int runQueuePosition, long cpuNanos) {}

    /** Where task {@code taskId} is, or {@code null} if this scheduler does not know it (ended). */
    public Placed placement(long taskId) {
        Entity e = byId.get(taskId);
        if (e == null) {
            return null;
        }
        lock.lock();
        try {
            long held = e.cpuNanos + (e.hasToken ? cpuClock.nanoTime() - e.tokenSince : 0);
            int position = e.hasToken ? 0
                    : !e.queued ? -1
                    : choices != null ? detReady.indexOf(e) + 1
                    : cpus[e.cpu].queue.positionOf(e);
            return new Placed(e.cpu, e.priority, position, held);
        } finally {
            lock.unlock();
        }
    }

    /** Deterministic mode: the hand-offs so far, one line each ("t7 wake @1099511627776"). */
    public List<String> trace() {
        lock.lock();
        try {
            return trace == null ? List.of() : List.copyOf(trace);
        } finally {
            lock.unlock();
        }
    }

    /** A CRC-32 of {@link #trace()}, in hex. */
    public String traceHash() {
        CRC32 crc = new CRC32();
        for (String line : trace()) {
            crc.update((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return Long.toHexString(crc.getValue());
    }
}
