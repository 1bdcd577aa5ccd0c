package org.tasklife.interop;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.tasklife.Domain;
import org.tasklife.DomainAccessException;
import org.tasklife.ExitStatus;
import org.tasklife.FailurePolicy;
import org.tasklife.GroupState;
import org.tasklife.SpawnOptions;
import org.tasklife.SpawnRefusedException;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.Tasks;
import org.tasklife.internal.group.InteropSupport;
import org.tasklife.sync.Semaphore;

/**
 * An {@link ExecutorService} whose work runs as tasklife tasks, so that {@link #shutdownNow()} and
 * {@code cancel(true)} <em>kill</em>: they end work blocked in any tasklife wait (mutex, semaphore, sleep, join, ...),
 * in an interruptible JDK call, or in a loop that swallows interrupts but reaches a tasklife safe point, where the
 * JDK's executors only interrupt. Everything else is the {@code ExecutorService} contract, as the JDK's
 * {@code Executors.newVirtualThreadPerTaskExecutor()} keeps it.
 *
 * <pre>{@code
 * try (TaskExecutor ex = TaskExecutor.in(kernel.rootDomain())) {
 *     Future<String> f = ex.submit(() -> fetch(url));
 *     ...
 * }   // close(): shutdown, then wait for the work; shutdownNow() would kill it
 * }</pre>
 *
 * <p><b>Each submission is a task of one group.</b> Built on a domain ({@link #in(Domain)}), the executor owns a
 * new top-level group of it, named as the executor (auto-reaped; its main task only waits for the executor's
 * own work to end after a shutdown); built on a group ({@link #in(TaskGroup)}), its submissions join that group.
 * Each submission gets a new task of its own (virtual thread by default), detached, named {@code name-N}, listed
 * by {@code ps} while it runs. {@link Builder#maxConcurrency(int)} bounds how many run at once; the excess waits in
 * a queue as work never started.
 *
 * <p><b>Failures.</b> A submission that throws fails only itself, whatever the group's {@link FailurePolicy}: for
 * {@code submit} and {@code invokeAll}/{@code invokeAny} the exception is its future's (wrapped in an
 * {@link ExecutionException} by {@code get}) and its task ends normally; for {@link #execute}, as on a JDK thread,
 * it goes to the thread's uncaught-exception handler and its task ends with status {@code Failed}. A submission
 * that calls {@link Tasks#exitGroup(int)} ends its group as that call always does (docs/contract.md, E3): every
 * other task of the group is killed, and an executor that owns its group is then terminated; do it only to mean
 * that. A submission that ends its task early with {@link Tasks#exit()} completes its future exceptionally.
 *
 * <p><b>Kill.</b> {@link #shutdownNow()} kills the group when the executor owns it (every submission, and any task
 * they spawned into it), else each of its running submissions; it returns the queued work that never started,
 * whose futures stay incomplete, as the JDK's do. {@code cancel(true)} kills that one submission's task;
 * {@code cancel(false)} only keeps a queued submission from starting (a running one runs on, its result
 * discarded), as {@link FutureTask} does. A submission killed while it runs completes its future with the kill's
 * {@link TaskKilledError} (or whatever the killed code throws, an {@code InterruptedException} say); one killed
 * before its body started completes it with a {@link TaskKilledError}. Code that never reaches a safe point and
 * swallows interrupts cannot be ended by anyone; tasklife reports it stuck after the kill grace period
 * (docs/contract.md, K8).
 *
 * <p><b>invokeAny</b> kills the losers once a callable succeeded (or the time is up), and has waited for each of
 * them to end when it returns; the timed variant waits for them no later than its deadline. <b>invokeAll</b> with a
 * timeout kills what has not finished in time; the futures it returns are all done.
 *
 * <p><b>Termination.</b> After {@link #shutdown()} no new work is accepted ({@link RejectedExecutionException})
 * and queued work still starts. An executor that owns its group terminates when the group has ended (every task in
 * it, including what the submissions spawned into it); on a given group, when its own submissions have ended.
 * When the group ends for any reason (a kill from outside, a domain stop, {@code Tasks.exitGroup}), the executor
 * shuts down and its queued work is cancelled. A submission the kernel refuses (a domain limit, the group ending)
 * is rejected with a {@code RejectedExecutionException} whose cause says why.
 *
 * <p><b>Authority</b> (docs/isolation.md): the executor is built by code that may act on its group's domain, and
 * from then on acts with that domain's authority, whoever calls it: host code, a task of any domain, a common-pool
 * thread completing a future. It spawns only into its group and kills only its own work, so handing an executor
 * to code lets that code run work in that group and nothing more. A killed task submits nothing: its submissions
 * are rejected.
 *
 * <p>Futures: {@code get} and the other blocking calls of the returned futures, {@link #awaitTermination},
 * {@code invokeAll} and {@code invokeAny} are JDK waits: from a task, a kill interrupts them (they throw
 * {@code InterruptedException}), and the task's next tasklife call throws its kill.
 */
public final class TaskExecutor implements ExecutorService {
    /*
     * Implementation notes
     *
     * States (runState, written under lock):
     *   RUNNING    -> SHUTDOWN    // shutdown(), or the group ended
     *   RUNNING    -> STOP        // shutdownNow()
     *   SHUTDOWN   -> STOP        // shutdownNow()
     *   any        -> TERMINATED  // on a given group: shut down, nothing active or queued (checkIdleLocked);
     *                             // owning the group: the group ended (groupEnded)
     * An owned group's main task (the keeper) waits on a tasklife semaphore, released once the executor is shut
     * down with nothing active or queued; it then exits (Tasks.exit), so that the group ends with its last task
     * (contract E4), and the group's end terminates the executor.
     *
     * Submissions (Job): accept() takes a slot (active < maxConcurrency) or queues the job, under lock; the task is
     * spawned after unlocking (a spawn is a safe point: in scheduler mode no JDK lock may be held across it), with
     * the group's domain's authority (InteropSupport.spawnAs). When a task ends (its onExit, which runs after it
     * published, off every kernel lock), its slot goes to the next queued job (slotFreed), which that thread
     * spawns; a job the kernel refuses frees its slot again. A job's task may be killed before its body starts
     * (the kernel then skips the body): its onExit completes its future.
     *
     * Invariants:
     *  X1 active counts the jobs holding a slot: spawned or being spawned, until their task ended or their spawn
     *     was refused; running holds exactly those jobs. Both change under lock only.
     *  X2 a job leaves the queue exactly once: dispatched (takes a slot), skipped (cancelled while queued),
     *     drained by shutdownNow (handed back) or by the group's end (cancelled).
     *  X3 a kill asked before a job's task exists is not lost: TaskSlot writes killWanted then reads task, started()
     *     writes task then reads killWanted (volatile, Dekker): one of them kills it.
     *  X4 every job's slot is marked ended exactly when it will never run (again): its task ended, its spawn was
     *     refused, or it left the queue without starting; invokeAny waits on that.
     *
     * Kill: cancel(true) is FutureTask.cancel(false) (the state change, no interrupt) followed by a kill of the
     * task; shutdownNow kills the owned group (one kill batch, contract K7) or each running job's task.
     *
     * No user code runs under lock: futures are completed and cancelled, and the keeper released, after unlocking.
     */

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;
    private static final int TERMINATED = 3;

    private final TaskGroup group;          // immutable
    private final boolean ownsGroup;        // immutable
    private final String name;              // immutable: the owned group's name, the tasks' name prefix
    private final int maxConcurrency;       // immutable
    private final boolean platform;         // immutable
    private final Semaphore keeper;         // the owned group's main task waits on it; null on a given group
    private final AtomicLong seq = new AtomicLong();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private volatile int runState;          // written under lock (see the table)
    private int active;                     // guarded by lock (X1)
    private final Set<Job> running = new HashSet<>();    // guarded by lock (X1)
    private final ArrayDeque<Job> queued = new ArrayDeque<>(); // guarded by lock (X2)
    private boolean groupEnded;             // guarded by lock
    private boolean keeperReleased;         // guarded by lock

    private TaskExecutor(TaskGroup group, boolean ownsGroup, Builder b, Semaphore keeper) {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.name = b.name;
        this.maxConcurrency = b.maxConcurrency;
        this.platform = b.platform;
        this.keeper = keeper;
    }

    /**
     * An executor that owns a new group of {@code domain}, named {@code "executor"}, unbounded, on virtual threads;
     * see {@link Builder#in(Domain)}.
     *
     * @param domain the domain of the executor's group
     * @return the executor
     * @throws DomainAccessException if the calling code may not act on {@code domain}
     * @throws SpawnRefusedException if the group cannot be made (the domain is stopping or at a limit, the kernel is
     *     closed)
     */
    public static TaskExecutor in(Domain domain) {
        return builder().in(domain);
    }

    /**
     * An executor whose submissions are tasks of {@code group}, named {@code "executor-N"}, unbounded, on virtual
     * threads; see {@link Builder#in(TaskGroup)}.
     *
     * @param group the group the submissions' tasks join
     * @return the executor
     * @throws DomainAccessException if the calling code may not act on the group's domain
     */
    public static TaskExecutor in(TaskGroup group) {
        return builder().in(group);
    }

    /** {@return a builder of an executor, with the defaults: name {@code "executor"}, unbounded, virtual threads} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the group whose tasks the submissions are (the executor's own, when it was built on a domain)} */
    public TaskGroup group() {
        return group;
    }

    /** {@return the executor's name: its own group's name, and its tasks' name prefix} */
    public String name() {
        return name;
    }

    // ---- ExecutorService: submitting ----

    /**
     * Runs {@code command} in a new task of the group, now or, over the concurrency bound, once a slot is free.
     * What it throws goes to the thread's uncaught-exception handler, and its task ends {@code Failed}.
     *
     * @param command what to run
     * @throws NullPointerException if {@code command} is null
     * @throws RejectedExecutionException if the executor is shut down, or the kernel refuses the task (its cause
     *     says why: a domain limit, the group ending, the calling task killed)
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        accept(new ExecJob(command));
    }

    /**
     * Runs {@code task} in a new task of the group (see {@link #execute}).
     *
     * @param <T> the result type
     * @param task what to run
     * @return its future: {@code cancel(true)} kills its task
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down, or the kernel refuses the task
     */
    @Override
    public <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Submission<T> s = new Submission<>(this, task, null);
        accept(s);
        return s;
    }

    /**
     * Runs {@code task} in a new task of the group (see {@link #execute}); its future gives {@code result}.
     *
     * @param <T> the result type
     * @param task what to run
     * @param result what the future gives once {@code task} ran
     * @return its future: {@code cancel(true)} kills its task
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down, or the kernel refuses the task
     */
    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        Submission<T> s = new Submission<>(this, task, result);
        accept(s);
        return s;
    }

    /**
     * Runs {@code task} in a new task of the group (see {@link #execute}); its future gives {@code null}.
     *
     * @param task what to run
     * @return its future: {@code cancel(true)} kills its task
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down, or the kernel refuses the task
     */
    @Override
    public Future<?> submit(Runnable task) {
        return submit(task, null);
    }

    /**
     * Runs every callable in a task of its own and waits for all of them (see the class description).
     *
     * @param <T> the result type
     * @param tasks what to run
     * @return their futures, in the order of {@code tasks}, all done
     * @throws InterruptedException if the calling thread is interrupted while waiting (from a task: killed);
     *     unfinished submissions are then killed
     * @throws NullPointerException if {@code tasks} or one of its elements is null
     * @throws RejectedExecutionException if a submission is rejected (those already made are killed)
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks");
        return invokeAll(tasks, false, 0L);
    }

    /**
     * Runs every callable in a task of its own and waits for all of them for at most {@code timeout}; those not
     * finished in time are cancelled and killed.
     *
     * @param <T> the result type
     * @param tasks what to run
     * @param timeout the longest wait
     * @param unit the unit of {@code timeout}
     * @return their futures, in the order of {@code tasks}, all done
     * @throws InterruptedException if the calling thread is interrupted while waiting (from a task: killed);
     *     unfinished submissions are then killed
     * @throws NullPointerException if {@code tasks}, one of its elements or {@code unit} is null
     * @throws RejectedExecutionException if a submission is rejected (those already made are killed)
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks");
        return invokeAll(tasks, true, deadline(timeout, unit));
    }

    /** Both invokeAll: submit all, wait for each in order (until {@code deadline} if timed), kill the unfinished. */
    private <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, boolean timed, long deadline)
            throws InterruptedException {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        int j = 0;
        try {
            for (Callable<T> t : tasks) {
                futures.add(submit(t));
            }
            for (int size = futures.size(); j < size; j++) {
                Future<T> f = futures.get(j);
                if (!f.isDone()) {
                    try {
                        if (timed) {
                            f.get(deadline - System.nanoTime(), NANOSECONDS);
                        } else {
                            f.get();
                        }
                    } catch (TimeoutException e) {
                        break;
                    } catch (ExecutionException | CancellationException ignore) {
                        // its future holds it
                    }
                }
            }
            return futures;
        } finally {
            cancelFrom(futures, j);
        }
    }

    private static <T> void cancelFrom(List<Future<T>> futures, int j) {
        for (int size = futures.size(); j < size; j++) {
            futures.get(j).cancel(true); // kills
        }
    }

    /**
     * Runs every callable in a task of its own and returns the result of one that succeeded; the others are killed
     * and have ended when this returns.
     *
     * @param <T> the result type
     * @param tasks what to run
     * @return the result of a callable that succeeded
     * @throws InterruptedException if the calling thread is interrupted while waiting (from a task: killed)
     * @throws ExecutionException if every callable failed (its cause is the first failure)
     * @throws NullPointerException if {@code tasks} or one of its elements is null
     * @throws IllegalArgumentException if {@code tasks} is empty
     * @throws RejectedExecutionException if a submission is rejected (those already made are killed)
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, false, 0L);
        } catch (TimeoutException impossible) {
            throw new AssertionError("an untimed invokeAny timed out", impossible);
        }
    }

    /**
     * Runs every callable in a task of its own and returns the result of one that succeeded within
     * {@code timeout}; the others are killed, and have ended when this returns unless the deadline passed first.
     *
     * @param <T> the result type
     * @param tasks what to run
     * @param timeout the longest wait
     * @param unit the unit of {@code timeout}
     * @return the result of a callable that succeeded
     * @throws InterruptedException if the calling thread is interrupted while waiting (from a task: killed)
     * @throws ExecutionException if every callable failed (its cause is the first failure)
     * @throws TimeoutException if none succeeded in time (all are then killed)
     * @throws NullPointerException if {@code tasks}, one of its elements or {@code unit} is null
     * @throws IllegalArgumentException if {@code tasks} is empty
     * @throws RejectedExecutionException if a submission is rejected (those already made are killed)
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return invokeAny(tasks, true, deadline(timeout, unit));
    }

    private <T> T invokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("tasks is empty: invokeAny needs at least one callable");
        }
        BlockingQueue<Submission<?>> done = new LinkedBlockingQueue<>();
        List<Submission<T>> made = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> c : tasks) {
                Objects.requireNonNull(c, "tasks holds a null callable");
                Submission<T> s = new Submission<>(this, c, done);
                accept(s);
                made.add(s);
            }
            Throwable first = null;
            for (int failed = 0; failed < made.size(); ) {
                Submission<?> f = timed ? done.poll(deadline - System.nanoTime(), NANOSECONDS) : done.take();
                if (f == null) {
                    throw new TimeoutException("no callable of invokeAny succeeded in time");
                }
                if (f.state() == Future.State.SUCCESS) {
                    @SuppressWarnings("unchecked")
                    T r = (T) f.resultNow();
                    return r;
                }
                failed++;
                if (first == null) {
                    first = f.isCancelled() ? new CancellationException("cancelled") : f.exceptionNow();
                }
            }
            throw new ExecutionException(first);
        } finally {
            for (Submission<T> s : made) {
                s.cancel(true); // kills the losers
            }
            awaitEnded(made, timed, deadline);
        }
    }

    /** Waits for each job to end (X4), no later than {@code deadline} when timed; an interrupt ends the wait. */
    private static void awaitEnded(List<? extends Job> jobs, boolean timed, long deadline) {
        try {
            for (Job j : jobs) {
                if (!timed) {
                    j.slot().ended.await();
                } else if (!j.slot().ended.await(deadline - System.nanoTime(), NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the caller's own business (a kill, from a task)
        }
    }

    // ---- ExecutorService: lifecycle ----

    /**
     * Accepts no new work; running and queued work goes on. Idempotent.
     */
    @Override
    public void shutdown() {
        int action;
        lock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
            action = checkIdleLocked();
        } finally {
            lock.unlock();
        }
        act(action);
    }

    /**
     * Accepts no new work and kills the running work: the executor's whole group when it owns it, else each of its
     * running submissions (see the class description).
     *
     * @return the queued work that never started, in the order it was submitted ({@code execute}'s
     *     {@code Runnable}s as given, {@code submit}'s futures); their futures stay incomplete
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Job> drained;
        List<Job> victims;
        int action;
        lock.lock();
        try {
            if (runState < STOP) {
                runState = STOP;
            }
            drained = new ArrayList<>(queued);
            queued.clear();
            victims = new ArrayList<>(running);
            action = checkIdleLocked();
        } finally {
            lock.unlock();
        }
        if (ownsGroup) {
            InteropSupport.actFor(group, group::kill); // one kill batch: every submission and what it spawned
        } else {
            for (Job j : victims) {
                j.slot().requestKill(group);
            }
        }
        List<Runnable> out = new ArrayList<>(drained.size());
        for (Job j : drained) {
            j.slot().markEnded(); // X4: it never starts
            out.add(j.userFacing());
        }
        act(action);
        return out;
    }

    /** {@return whether {@link #shutdown()} or {@link #shutdownNow()} was called, or the group ended} */
    @Override
    public boolean isShutdown() {
        return runState >= SHUTDOWN;
    }

    /** {@return whether the executor is terminated (see the class description)} */
    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /**
     * Waits until the executor is terminated or {@code timeout} passed.
     *
     * @param timeout the longest wait
     * @param unit the unit of {@code timeout}
     * @return whether it is terminated
     * @throws InterruptedException if the calling thread is interrupted while waiting (from a task: killed)
     * @throws NullPointerException if {@code unit} is null
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return terminated.await(timeout, unit);
    }

    /**
     * Shuts down and waits until terminated, as the JDK's executors do: if the calling thread is interrupted while
     * waiting (from a task: killed), the running work is killed ({@link #shutdownNow()}), the wait goes on until the
     * end, and the interrupt status is set again on return. Called from one of this executor's own submissions, it
     * waits for itself: do not.
     */
    @Override
    public void close() {
        boolean done = isTerminated();
        if (done) {
            return;
        }
        shutdown();
        boolean interrupted = false;
        while (!done) {
            try {
                done = awaitTermination(1L, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        String state = switch (runState) {
            case RUNNING -> "running";
            case SHUTDOWN -> "shut down";
            case STOP -> "stopping";
            default -> "terminated";
        };
        return "TaskExecutor[" + name + ", group " + group.id() + ", " + state + "]";
    }

    // ---- the machinery ----

    private static final int NOTHING = 0;
    private static final int RELEASE_KEEPER = 1;
    private static final int TERMINATE = 2;

    /** What becomes of a shut-down executor with nothing active or queued (X1, X2); the action runs after unlock. */
    private int checkIdleLocked() {
        assert lock.isHeldByCurrentThread();
        if (runState < SHUTDOWN || active != 0 || !queued.isEmpty()) {
            return NOTHING;
        }
        if (ownsGroup) {
            if (keeperReleased || groupEnded) {
                return NOTHING;
            }
            keeperReleased = true;
            return RELEASE_KEEPER; // the group ends with its last task, and its end terminates us
        }
        if (runState == TERMINATED) {
            return NOTHING;
        }
        runState = TERMINATED;
        return TERMINATE;
    }

    private void act(int action) {
        if (action == RELEASE_KEEPER) {
            keeper.release();
        } else if (action == TERMINATE) {
            terminated.countDown();
        }
    }

    /** Takes a slot and starts {@code job}, or queues it (X1, X2). */
    private void accept(Job job) {
        boolean startNow;
        lock.lock();
        try {
            if (runState != RUNNING) {
                throw new RejectedExecutionException(this + " accepts no new work: it is shut down");
            }
            startNow = active < maxConcurrency;
            if (startNow) {
                active++;
                running.add(job);
            } else {
                queued.addLast(job);
            }
        } finally {
            lock.unlock();
        }
        if (startNow) {
            RuntimeException refused = start(job);
            if (refused != null) {
                job.slot().markEnded();
                slotFreed(job);
                throw new RejectedExecutionException(this + " could not start a task: " + refused.getMessage(), refused);
            }
        }
    }

    /**
     * Spawns the task of {@code job}, which holds a slot; after unlocking.
     *
     * @return the kernel's refusal, or {@code null} once the task is spawned
     */
    private RuntimeException start(Job job) {
        String taskName = name + "-" + seq.incrementAndGet();
        TaskBody<Void> body = () -> {
            job.runInTask();
            return null;
        };
        Task<Void> t;
        try {
            t = InteropSupport.spawnAs(group,
                    () -> group.spawnTask(SpawnOptions.named(taskName).detached(true).platformThread(platform), body));
        } catch (SpawnRefusedException | DomainAccessException refused) { // DomainLimitExceededException too
            return refused;
        }
        job.slot().started(t, group);
        t.onExit().whenComplete((status, impossible) -> taskEnded(job, status));
        return null;
    }

    private void taskEnded(Job job, ExitStatus status) {
        job.taskEnded(status);
        job.slot().markEnded();
        slotFreed(job);
    }

    /** {@code job} gave its slot back (X1): the next queued job takes it, or the executor may become idle. */
    private void slotFreed(Job job) {
        Job freed = job;
        for (;;) {
            Job next = null;
            List<Job> skipped = null;
            int action = NOTHING;
            lock.lock();
            try {
                if (freed != null) {
                    active--;
                    running.remove(freed);
                }
                while (next == null && runState < STOP && !groupEnded && active < maxConcurrency && !queued.isEmpty()) {
                    Job j = queued.pollFirst();
                    if (j.isFinished()) { // cancelled while queued: never starts (X2)
                        if (skipped == null) {
                            skipped = new ArrayList<>(1);
                        }
                        skipped.add(j);
                        continue;
                    }
                    active++;
                    running.add(j);
                    next = j;
                }
                if (next == null) {
                    action = checkIdleLocked();
                }
            } finally {
                lock.unlock();
            }
            if (skipped != null) {
                skipped.forEach(j -> j.slot().markEnded());
            }
            if (next == null) {
                act(action);
                return;
            }
            RuntimeException refused = start(next);
            if (refused == null) {
                return;
            }
            // the group ended under it: as the group's end cancels queued work; else the kernel's refusal
            next.notStarted(new RejectedExecutionException(this + " could not start a task: " + refused.getMessage(),
                    refused), group.state() != GroupState.ALIVE);
            next.slot().markEnded();
            freed = next;
        }
    }

    /** The group ended, by any path: no more work; queued work is cancelled; an owning executor is terminated. */
    private void groupEnded() {
        List<Job> dropped;
        int action = NOTHING;
        lock.lock();
        try {
            groupEnded = true;
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
            dropped = new ArrayList<>(queued);
            queued.clear();
            if (ownsGroup) {
                runState = TERMINATED;
                action = TERMINATE;
            } else {
                action = checkIdleLocked();
            }
        } finally {
            lock.unlock();
        }
        for (Job j : dropped) {
            j.notStarted(null, true);
            j.slot().markEnded();
        }
        act(action);
    }

    /** A deadline on System.nanoTime(): only differences to it are used, so a saturated timeout never wraps. */
    private static long deadline(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return System.nanoTime() + unit.toNanos(timeout); // toNanos saturates
    }

    // ---- jobs ----

    /** An accepted submission: what its task runs, and the task once spawned. */
    private interface Job {
        TaskSlot slot();

        /** On the job's task's thread. */
        void runInTask();

        /** What shutdownNow hands back. */
        Runnable userFacing();

        /** Whether it was cancelled before it started (then it never starts). */
        boolean isFinished();

        /** Its task ended: a body that never ran (killed before it started) completes here. */
        void taskEnded(ExitStatus status);

        /** It will never run: refused by the kernel ({@code why}), or cancelled ({@code cancel}). */
        void notStarted(RejectedExecutionException why, boolean cancel);
    }

    /** The task of a job once spawned, a kill that may come before it exists (X3), and its end (X4). */
    private static final class TaskSlot {
        private volatile Task<?> task;
        private volatile boolean killWanted;
        final CountDownLatch ended = new CountDownLatch(1);

        void started(Task<?> t, TaskGroup group) {
            task = t;
            if (killWanted) {
                kill(t, group);
            }
        }

        void requestKill(TaskGroup group) {
            killWanted = true;
            Task<?> t = task;
            if (t != null) {
                kill(t, group);
            }
        }

        Task<?> task() {
            return task;
        }

        void markEnded() {
            ended.countDown();
        }

        private static void kill(Task<?> t, TaskGroup group) {
            InteropSupport.actFor(group, t::kill);
        }
    }

    /** A future of {@code submit}, {@code invokeAll} or {@code invokeAny}. */
    private static final class Submission<V> extends FutureTask<V> implements Job {
        private final TaskExecutor owner;
        private final TaskSlot slot = new TaskSlot();
        private final BlockingQueue<Submission<?>> doneQueue; // invokeAny's, or null

        Submission(TaskExecutor owner, Callable<V> callable, BlockingQueue<Submission<?>> doneQueue) {
            super(callable);
            this.owner = owner;
            this.doneQueue = doneQueue;
        }

        Submission(TaskExecutor owner, Runnable runnable, V result) {
            super(runnable, result);
            this.owner = owner;
            this.doneQueue = null;
        }

        /**
         * Cancels as {@link FutureTask} does, but {@code mayInterruptIfRunning} kills the task rather than interrupt
         * its thread.
         */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(false);
            if (cancelled && mayInterruptIfRunning) {
                slot.requestKill(owner.group);
            }
            return cancelled;
        }

        @Override
        protected void setException(Throwable t) {
            super.setException(InteropSupport.isExitSignal(t)
                    ? new TaskLifeException(TaskLifeException.Reason.INVALID_OPERATION,
                            "the submission's task ended itself (Tasks.exit or Tasks.exitGroup) before it completed")
                    : t);
        }

        @Override
        protected void done() {
            if (doneQueue != null) {
                doneQueue.add(this);
            }
        }

        @Override
        public TaskSlot slot() {
            return slot;
        }

        @Override
        public void runInTask() {
            InteropSupport.failAlone(); // what escapes run() (nothing but a kill) ends this task only
            run();
        }

        @Override
        public Runnable userFacing() {
            return this;
        }

        @Override
        public boolean isFinished() {
            return isDone();
        }

        @Override
        public void taskEnded(ExitStatus status) {
            if (!isDone()) { // its body never ran
                Task<?> t = slot.task();
                String who = "task " + t.id() + " (" + t.name() + ")";
                super.setException(status instanceof ExitStatus.Killed
                        ? new TaskKilledError(who + " was killed before the submission started")
                        : new TaskLifeException(TaskLifeException.Reason.INVALID_OPERATION,
                                who + " ended " + status + " before the submission started"));
            }
        }

        @Override
        public void notStarted(RejectedExecutionException why, boolean cancel) {
            if (cancel) {
                super.cancel(false);
            } else {
                super.setException(why);
            }
        }
    }

    /** A command of {@code execute}. */
    private static final class ExecJob implements Job {
        private final Runnable command;
        private final TaskSlot slot = new TaskSlot();

        ExecJob(Runnable command) {
            this.command = command;
        }

        @Override
        public TaskSlot slot() {
            return slot;
        }

        @Override
        public void runInTask() {
            Uncaught.runAlone(command);
        }

        @Override
        public Runnable userFacing() {
            return command;
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public void taskEnded(ExitStatus status) {
            // nothing waits for it
        }

        @Override
        public void notStarted(RejectedExecutionException why, boolean cancel) {
            if (!cancel) {
                Uncaught.report(why); // nobody else would hear of the lost command
            }
        }
    }

    // ---- building ----

    /** Options of a {@link TaskExecutor}; each setter returns this builder. */
    public static final class Builder {
        private String name = "executor";
        private int maxConcurrency = Integer.MAX_VALUE;
        private boolean platform;

        private Builder() {}

        /**
         * Names the submissions' tasks {@code name-N} (and, on a domain, the executor's group {@code name}).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = TaskThreadFactory.checkName(name);
            return this;
        }

        /**
         * Runs at most {@code max} submissions at once; the excess waits in a queue, never started, until a running
         * one ends. Unbounded by default.
         *
         * @param max the bound
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is less than 1
         */
        public Builder maxConcurrency(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1, was " + max);
            }
            this.maxConcurrency = max;
            return this;
        }

        /**
         * Runs submissions on platform threads rather than virtual ones.
         *
         * @param on whether to use platform threads
         * @return this builder
         */
        public Builder platformThreads(boolean on) {
            this.platform = on;
            return this;
        }

        /**
         * An executor whose submissions are tasks of {@code group}, which it does not own: the executor terminates
         * when it is shut down and its own submissions have ended; the group's other tasks are not its business.
         *
         * @param group the group the submissions' tasks join
         * @return the executor
         * @throws NullPointerException if {@code group} is null
         * @throws DomainAccessException if the calling code may not act on the group's domain
         */
        public TaskExecutor in(TaskGroup group) {
            Objects.requireNonNull(group, "group");
            InteropSupport.checkMayUse(group, "build a TaskExecutor on group " + group.id(), false);
            TaskExecutor ex = new TaskExecutor(group, false, this, null);
            group.onExit().whenComplete((status, impossible) -> ex.groupEnded());
            return ex;
        }

        /**
         * An executor that owns a new top-level group of {@code domain}, named as the executor: auto-reaped, a
         * failure in it ends only the failing task, and its main task only waits for the executor's own work to end
         * after a shutdown. The executor terminates when the group has ended.
         *
         * @param domain the domain of the executor's group
         * @return the executor
         * @throws NullPointerException if {@code domain} is null
         * @throws DomainAccessException if the calling code may not act on {@code domain}
         * @throws SpawnRefusedException if the group cannot be made (the domain is stopping or at a limit, the
         *     kernel is closed)
         */
        public TaskExecutor in(Domain domain) {
            Objects.requireNonNull(domain, "domain");
            Semaphore keeper = new Semaphore(0);
            TaskGroup g = domain.spawnGroup(TaskThreadFactory.ownedGroup(name), () -> {
                keeper.acquire();
                Tasks.exit(); // the group ends with its last task (docs/contract.md, E4)
                return 0;
            });
            TaskExecutor ex = new TaskExecutor(g, true, this, keeper);
            g.onExit().whenComplete((status, impossible) -> ex.groupEnded());
            return ex;
        }
    }
}
