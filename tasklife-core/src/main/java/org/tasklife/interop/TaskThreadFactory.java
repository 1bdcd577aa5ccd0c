package org.tasklife.interop;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.tasklife.Domain;
import org.tasklife.DomainAccessException;
import org.tasklife.FailurePolicy;
import org.tasklife.SpawnOptions;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskGroup;
import org.tasklife.TaskLifeException;
import org.tasklife.Tasks;
import org.tasklife.internal.group.InteropSupport;
import org.tasklife.sync.Semaphore;

/**
 * A {@link ThreadFactory} whose threads are tasklife tasks: hand it to any library that takes a thread factory
 * (a {@code ThreadPoolExecutor}, {@code Executors.newThreadPerTaskExecutor}, a server, a client) and every thread
 * the library makes runs as a task of one group, which can be listed ({@code ps}), audited and killed.
 *
 * <pre>{@code
 * TaskGroup pool = kernel.spawnGroup("pool", () -> { Tasks.sleep(Duration.ofDays(365)); return 0; });
 * ExecutorService workers = Executors.newFixedThreadPool(4, TaskThreadFactory.in(pool));
 * // ... pool.kill() ends every worker blocked in a tasklife wait, an interruptible JDK call or at a safe point
 * }</pre>
 *
 * <p>What a thread of this factory is:
 * <ul>
 *   <li><b>A task from the moment it is made.</b> {@link #newThread} adds a task to the group and returns its
 *       thread unstarted: the task is findable at once (state {@code NEW}), counts against its domain's limits,
 *       and keeps its group alive (docs/contract.md, P4, D4). Started, the thread runs as that task: tasklife
 *       waits in it are killable, {@code Tasks.current()} is it, its kill interrupts JDK blocking calls (K4).</li>
 *   <li><b>Refused with {@code null}.</b> When the task cannot be made (a limit of the domain is reached, the group
 *       ended or is ending, the kernel is closed, the calling task was killed, or the factory is closed),
 *       {@code newThread} returns {@code null}, as the {@code ThreadFactory} contract allows; the JDK's executors
 *       turn that into a {@code RejectedExecutionException}.</li>
 *   <li><b>Killed before it starts:</b> its task ends at once with status {@code Killed} (on the kernel's reaper
 *       thread, since the thread never ran); if the thread is started later, its {@code run()} returns at once and
 *       runs nothing.</li>
 *   <li><b>Never started:</b> the task stays {@code NEW} and keeps its group from ending until it is killed (a kill
 *       of its group or domain ends it as above) or until the thread becomes unreachable, when the garbage
 *       collector's notice kills it.</li>
 *   <li><b>Dying of an uncaught exception:</b> as any JDK thread, it hands the exception to its uncaught-exception
 *       handler; its task ends with status {@code Failed} and nothing else: a failure ends only that task,
 *       whatever the group's {@link FailurePolicy}. A kill is not a failure and is not reported.</li>
 *   <li><b>Virtual by default</b>; {@link Builder#platformThreads(boolean)} makes platform (daemon) threads. Each
 *       task is named {@code name-N} (N counts from 1); its thread is named {@code name-N#id}.</li>
 * </ul>
 *
 * <p>Authority (docs/isolation.md): a factory is built by code that may act on its group's domain, and from then
 * on makes threads with that domain's authority, whoever calls {@code newThread}: a library's own thread, a
 * common-pool thread, a task of another domain. Handing a factory to code lets that code add tasks to the
 * group, and nothing else.
 *
 * <p>A kernel in scheduler mode ({@code Kernel.Builder.cpus}, {@code deterministic}) starts every task's
 * thread itself, so it makes no factory: building one throws.
 */
public final class TaskThreadFactory implements ThreadFactory, AutoCloseable {
    /*
     * Implementation notes
     *
     * Overview: newThread is the kernel's spawnUnstarted (internal/group/GroupLifecycle, TaskControlBlock H1):
     * a live, detached member of the group whose thread is handed out unstarted; its body runs the caller's
     * Runnable with its failure ending it alone (Uncaught.runAlone). The kernel arbitrates a start racing a kill
     * by one CAS on the task's state word, retires a task killed before its start on the reaper thread, and kills
     * the task of a thread dropped unstarted from a Cleaner.
     *
     * On a domain the factory owns a group (auto-reaped, FAIL_TASK) whose main task only waits for close() and then
     * exits (Tasks.exit: the group lives on until its last thread ends, contract E4).
     */

    private final TaskGroup group;          // immutable
    private final String name;              // immutable: task name prefix
    private final boolean platform;         // immutable
    private final Semaphore keeper;         // the owned group's main task waits on it; null on a given group
    private final AtomicLong seq = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TaskThreadFactory(TaskGroup group, String name, boolean platform, Semaphore keeper) {
        this.group = group;
        this.name = name;
        this.platform = platform;
        this.keeper = keeper;
    }

    /**
     * A factory of virtual threads that are tasks of a new group of {@code domain}, named {@code "thread"}; see
     * {@link Builder#in(Domain)}.
     *
     * @param domain the domain of the factory's group
     * @return the factory
     * @throws DomainAccessException if the calling code may not act on {@code domain}
     * @throws SpawnRefusedException if the group cannot be made (the domain is stopping or at a limit, the kernel is
     *     closed)
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the kernel runs in scheduler mode
     */
    public static TaskThreadFactory in(Domain domain) {
        return builder().in(domain);
    }

    /**
     * A factory of virtual threads that are tasks of {@code group}, named {@code "thread-N"}; see
     * {@link Builder#in(TaskGroup)}.
     *
     * @param group the group the threads' tasks join
     * @return the factory
     * @throws DomainAccessException if the calling code may not act on the group's domain
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the kernel runs in scheduler mode
     */
    public static TaskThreadFactory in(TaskGroup group) {
        return builder().in(group);
    }

    /** {@return a builder of a factory, with the defaults: name {@code "thread"}, virtual threads} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes a task of the group and returns its thread, not started (see the class description): started, the
     * thread runs {@code r} as that task.
     *
     * @param r what the thread runs
     * @return the thread, unstarted; or {@code null} if no task can be made now (a domain limit, the group ended or
     *     ending, the kernel closed, the calling task killed, or the factory closed)
     * @throws NullPointerException if {@code r} is null
     */
    @Override
    public Thread newThread(Runnable r) {
        Objects.requireNonNull(r, "r");
        if (closed.get()) {
            return null;
        }
        try {
            return InteropSupport.newThread(group, name + "-" + seq.incrementAndGet(), platform, () -> {
                Uncaught.runAlone(r);
                return null;
            });
        } catch (SpawnRefusedException refused) { // also DomainLimitExceededException
            return null;
        }
    }

    /** {@return the group whose tasks the threads are (the factory's own, when it was built on a domain)} */
    public TaskGroup group() {
        return group;
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Makes no more threads: {@link #newThread} returns {@code null} from now on. Threads already made are not
     * touched. On a factory built on a domain, its group ends once its last thread has ended (kill the group to
     * end them). Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && keeper != null) {
            keeper.release();
        }
    }

    @Override
    public String toString() {
        return "TaskThreadFactory[" + name + ", group " + group.id() + (closed.get() ? ", closed" : "") + "]";
    }

    /** Options of a {@link TaskThreadFactory}; each setter returns this builder. */
    public static final class Builder {
        private String name = "thread";
        private boolean platform;

        private Builder() {}

        /**
         * Names the threads' tasks {@code name-N} (and, on a domain, the factory's group {@code name}).
         *
         * @param name the prefix
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = checkName(name);
            return this;
        }

        /**
         * Makes platform (daemon) threads rather than virtual ones.
         *
         * @param on whether to make platform threads
         * @return this builder
         */
        public Builder platformThreads(boolean on) {
            this.platform = on;
            return this;
        }

        /**
         * A factory whose threads are tasks of {@code group}. Threads refused ({@code null}) once the group ended.
         *
         * @param group the group the threads' tasks join
         * @return the factory
         * @throws NullPointerException if {@code group} is null
         * @throws DomainAccessException if the calling code may not act on the group's domain
         * @throws TaskLifeException ({@code INVALID_OPERATION}) if the kernel runs in scheduler mode
         */
        public TaskThreadFactory in(TaskGroup group) {
            Objects.requireNonNull(group, "group");
            InteropSupport.checkMayUse(group, "build a TaskThreadFactory on group " + group.id(), true);
            return new TaskThreadFactory(group, name, platform, null);
        }

        /**
         * A factory whose threads are tasks of a new top-level group of {@code domain}, named as the factory. The
         * group is auto-reaped, and a failure in it ends only the failing task; its main task only waits for
         * {@link TaskThreadFactory#close()}, after which the group ends with its last thread ({@code Exited(0)}).
         *
         * @param domain the domain of the factory's group
         * @return the factory
         * @throws NullPointerException if {@code domain} is null
         * @throws DomainAccessException if the calling code may not act on {@code domain}
         * @throws SpawnRefusedException if the group cannot be made (the domain is stopping or at a limit, the
         *     kernel is closed)
         * @throws TaskLifeException ({@code INVALID_OPERATION}) if the kernel runs in scheduler mode
         */
        public TaskThreadFactory in(Domain domain) {
            Objects.requireNonNull(domain, "domain");
            Semaphore keeper = new Semaphore(0);
            TaskGroup g = domain.spawnGroup(ownedGroup(name), () -> {
                keeper.acquire();
                Tasks.exit(); // the group lives on until its last thread ends (docs/contract.md, E4)
                return 0;
            });
            try {
                InteropSupport.checkMayUse(g, "build a TaskThreadFactory on group " + g.id(), true);
            } catch (RuntimeException refused) {
                InteropSupport.actFor(g, g::kill);
                throw refused;
            }
            return new TaskThreadFactory(g, name, platform, keeper);
        }
    }

    /** The options of a group a bridge owns: auto-reaped, and a failure ends only the failing task. */
    static SpawnOptions ownedGroup(String name) {
        return SpawnOptions.named(name).autoReap(true).failurePolicy(FailurePolicy.FAIL_TASK);
    }

    /** {@code name}, checked: not null, not blank. */
    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: it prefixes the names of the tasks");
        }
        return name;
    }
}
