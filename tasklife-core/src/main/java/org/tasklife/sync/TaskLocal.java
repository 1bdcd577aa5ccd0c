package org.tasklife.sync;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.TaskState;
import org.tasklife.internal.task.TaskControlBlock;

/**
 * A task-local key with an optional destructor (POSIX {@code pthread_key_create}, docs/contract.md, §9): each task
 * sees its own value, and when a task ends with a value set, the destructor runs once with that value.
 *
 * <p><b>Destructors</b> run on the task's own thread during its exit sequence (docs/contract.md, E6), on every exit
 * path — return, throw, {@code exit}, {@code exitGroup} and kill — after the body has unwound and
 * <em>before</em> the task's owned resources close, in the reverse order of the keys' first
 * {@code set} in that task. A destructor that throws does not stop the others; its throwable is
 * recorded with the task's close failures. A value set back to {@code null} (or removed) gets no
 * destructor call.
 *
 * <p><b>Destructor rounds.</b> A destructor may set a value again, on its own key or another (POSIX
 * allows it): each key set again during a round (and each key first set then) gets its destructor run
 * in a further round, with the value it then has, in the reverse order of those sets. At most
 * {@value #DESTRUCTOR_ROUNDS} rounds run in all (POSIX {@code PTHREAD_DESTRUCTOR_ITERATIONS}); a value
 * still set after the last round is dropped without a destructor call and reported as a close failure
 * of the task (an {@link IllegalStateException} naming the key and the task).
 *
 * <p><b>Deletion.</b> {@link #delete()} discards every task's value <em>without</em> running
 * destructors (as {@code pthread_key_delete}); afterwards every method but {@code delete} and
 * {@link #isDeleted()} throws {@link TaskLifeException} ({@code DESTROYED}).
 *
 * <p><b>Inheritance.</b> A key made by {@link #inheritable()} (or its overloads) passes values on, as
 * {@link InheritableThreadLocal} does for threads: a task spawned by a task (with {@code Tasks.spawnTask},
 * {@code Tasks.spawnGroup}, {@code TaskGroup.spawnTask} or {@code Kernel.spawnGroup}; a group's main task as any
 * other) starts with the value the spawning task holds at the spawn, passed through the key's child-value function.
 * That function runs on the spawning task's thread, during the spawn, and may return a copy (for a mutable value),
 * a derived value, or {@code null} for none; if it throws, the spawn is refused ({@code SpawnRefusedException}
 * with the exception as its cause) and nothing is created. The new task's value is set on its own thread before its
 * body runs (and before a spawn decorator's {@code Runnable}); from then on each task's value is its own. Tasks
 * spawned by host code inherit nothing. The destructor runs once in every task that holds a value at its end,
 * inherited or not: with a destructor, pass a copy, or count references, if the value is shared.
 *
 * <p><b>Misuse.</b> Calling {@link #get()}, {@link #set(Object)} or {@link #remove()} outside any task
 * throws {@link TaskLifeException} ({@code NOT_IN_TASK}); setting a value once the task's destructor rounds are over
 * (from an owned resource's {@code close}, say) throws {@link IllegalStateException}, since no destructor would
 * run for it any more.
 *
 * @param <T> the type of the values
 */
public final class TaskLocal<T> {
    /*
     * Implementation notes
     *
     * Storage: one concurrent map per key, from task record to value, rather than a slot table in each
     * task record: keys are rare and short-lived tasks should not pay for them. An entry is added by the
     * task itself and removed by its exit hook (or by delete), so the map holds only live tasks' values.
     *
     * Invariants:
     *  L1 a task has an exit hook for this key iff it has ever set a non-null value (hooked is per task:
     *     the map entry's presence is not enough, since remove() drops the entry but not the hook).
     *  L2 the exit hook removes the task's entry and runs the destructor on the removed value, once.
     *  L3 rounds: the hook also drops the task from `hooked` first, so a set() by any destructor of the
     *     round (its own included) registers a fresh hook, which TaskControlBlock.runExitHooks() runs in
     *     the next round; set() is allowed in the exit sequence only while a round runs (exitHookRound()
     *     between 1 and DESTRUCTOR_ROUNDS). A hook run after the last round (exitHookRound() past it) drops
     *     the value and throws, which records it as a close failure.
     *  L4 inheritance (inheritable keys only): a task that has set a value has this key's inheritor registered
     *     with it (TaskControlBlock.addInheritor, with the L1 hook). At each spawn the spawning task asks it, on
     *     its own thread (captureInherited, from the kernel's spawn hooks): the value it holds then, through
     *     childValue, is set by the new task on its own thread (adopt) before its body, with its own L1 hook.
     */

    /** Most destructor rounds at task exit (POSIX {@code PTHREAD_DESTRUCTOR_ITERATIONS}). */
    public static final int DESTRUCTOR_ROUNDS = TaskControlBlock.EXIT_HOOK_ROUNDS;

    private final Consumer<? super T> destructor; // immutable, may be null
    private final Function<? super T, ? extends T> childValue; // immutable; null: not inheritable
    private final Function<TaskControlBlock, Runnable> inheritor; // immutable; one object per key (L4), or null
    private final ConcurrentHashMap<TaskControlBlock, T> values = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TaskControlBlock, Boolean> hooked = new ConcurrentHashMap<>(); // L1
    private volatile boolean deleted;

    /** A key without a destructor. */
    public TaskLocal() {
        this(null, null);
    }

    /**
     * A key whose {@code destructor} runs at task exit with the task's value, if it is not null.
     *
     * @param destructor what to do with a task's value when the task ends
     * @throws NullPointerException if {@code destructor} is null
     */
    public TaskLocal(Consumer<? super T> destructor) {
        this(Objects.requireNonNull(destructor, "destructor"), null);
    }

    private TaskLocal(Consumer<? super T> destructor, Function<? super T, ? extends T> childValue) {
        this.destructor = destructor;
        this.childValue = childValue;
        this.inheritor = childValue == null ? null : this::captureFor;
    }

    /**
     * An inheritable key without a destructor: a task spawned by a task starts with the spawner's value, the same
     * object (see the class description).
     *
     * @param <T> the type of the values
     * @return the new key
     */
    public static <T> TaskLocal<T> inheritable() {
        return new TaskLocal<>(null, Function.identity());
    }

    /**
     * An inheritable key without a destructor whose spawned tasks start with {@code childValue} of the spawner's
     * value, computed on the spawning thread at the spawn (as {@link InheritableThreadLocal#childValue}); a
     * {@code null} result gives the new task no value.
     *
     * @param <T> the type of the values
     * @param childValue the new task's value from the spawner's (never called with {@code null})
     * @return the new key
     * @throws NullPointerException if {@code childValue} is null
     */
    public static <T> TaskLocal<T> inheritable(Function<? super T, ? extends T> childValue) {
        return new TaskLocal<>(null, Objects.requireNonNull(childValue, "childValue"));
    }

    /**
     * An inheritable key with a destructor, which runs once in every task that holds a value at its end, the
     * spawner's and each inheritor's (see the class description).
     *
     * @param <T> the type of the values
     * @param childValue the new task's value from the spawner's (never called with {@code null}); {@code null}
     *     from it gives the new task no value
     * @param destructor what to do with a task's value when the task ends
     * @return the new key
     * @throws NullPointerException if {@code childValue} or {@code destructor} is null
     */
    public static <T> TaskLocal<T> inheritable(Function<? super T, ? extends T> childValue,
            Consumer<? super T> destructor) {
        return new TaskLocal<>(Objects.requireNonNull(destructor, "destructor"),
                Objects.requireNonNull(childValue, "childValue"));
    }

    /** {@return whether tasks spawned by a task start with its value (made by {@link #inheritable()})} */
    public boolean isInheritable() {
        return childValue != null;
    }

    /**
     * {@return the calling task's value, or {@code null} if it has none}
     *
     * @throws TaskLifeException ({@code NOT_IN_TASK}) outside a task
     * @throws TaskLifeException ({@code DESTROYED}) if the key was deleted
     */
    public T get() {
        return values.get(caller("get()"));
    }

    /**
     * Sets the calling task's value; {@code null} is the same as {@link #remove()}.
     *
     * @param value the value, or {@code null}
     * @throws TaskLifeException ({@code NOT_IN_TASK}) outside a task
     * @throws TaskLifeException ({@code DESTROYED}) if the key was deleted
     * @throws IllegalStateException if the task is in its exit sequence and its destructor rounds are
     *     over (a set from a destructor is allowed: it gets a further round)
     */
    public void set(T value) {
        TaskControlBlock t = caller("set()");
        if (value == null) {
            values.remove(t);
            return;
        }
        if (t.taskState() == TaskState.EXITING && !inDestructorRound(t)) {
            throw new IllegalStateException("set() on " + this + " by task " + t.id()
                    + ": the task is in its exit sequence and its destructor rounds are over"
                    + ", so no destructor would run for the value");
        }
        store(t, value);
    }

    private void store(TaskControlBlock t, T value) {
        if (hooked.putIfAbsent(t, Boolean.TRUE) == null) {
            t.addExitHook(() -> destroy(t)); // L1
            if (inheritor != null) {
                t.addInheritor(inheritor); // L4
            }
        }
        values.put(t, value);
    }

    /** L4, on the spawning task's thread at a spawn: what the new task gets, set on its own thread; or null. */
    private Runnable captureFor(TaskControlBlock spawner) {
        T value = deleted ? null : values.get(spawner);
        T child = value == null ? null : childValue.apply(value);
        return child == null ? null : () -> adopt(child);
    }

    /** L4, on the new task's thread before its body: takes the inherited value (nothing if the key was deleted). */
    private void adopt(T value) {
        if (!deleted) {
            store(TaskControlBlock.current(), value);
        }
    }

    /**
     * Removes the calling task's value without running the destructor.
     *
     * @throws TaskLifeException ({@code NOT_IN_TASK}) outside a task
     * @throws TaskLifeException ({@code DESTROYED}) if the key was deleted
     */
    public void remove() {
        values.remove(caller("remove()"));
    }

    /**
     * Deletes the key: every task's value is discarded without running destructors, and later uses
     * throw {@link TaskLifeException} ({@code DESTROYED}). Idempotent.
     */
    public void delete() {
        deleted = true;
        values.clear();
    }

    /** {@return whether {@link #delete()} was called} */
    public boolean isDeleted() {
        return deleted;
    }

    @Override
    public String toString() {
        return "TaskLocal@" + Integer.toHexString(System.identityHashCode(this)) + (deleted ? "[deleted]" : "");
    }

    private TaskControlBlock caller(String operation) {
        if (deleted) {
            throw new TaskLifeException(Reason.DESTROYED, operation + " on " + this + ": the key was deleted");
        }
        TaskControlBlock t = TaskControlBlock.current();
        if (t == null) {
            throw new TaskLifeException(Reason.NOT_IN_TASK, operation + " on " + this + " from host thread '"
                    + Thread.currentThread().getName() + "': task-local values exist only inside a task");
        }
        return t;
    }

    /** Whether {@code t}, the caller, is running a destructor round (L3). */
    private static boolean inDestructorRound(TaskControlBlock t) {
        int round = t.exitHookRound();
        return round >= 1 && round <= DESTRUCTOR_ROUNDS;
    }

    private void destroy(TaskControlBlock t) { // L2: the task's exit hook, on its own thread
        hooked.remove(t); // L3: a set() from here on registers the next round's hook
        T value = values.remove(t);
        if (value == null || destructor == null || deleted) {
            return;
        }
        if (t.exitHookRound() > DESTRUCTOR_ROUNDS) { // L3: set again in the last round
            throw new IllegalStateException(this + ": task " + t.id() + " still had a value after "
                    + DESTRUCTOR_ROUNDS + " destructor rounds (the limit, POSIX PTHREAD_DESTRUCTOR_ITERATIONS:"
                    + " a destructor set it again each round); the value was dropped without running the"
                    + " destructor");
        }
        destructor.accept(value);
    }
}
