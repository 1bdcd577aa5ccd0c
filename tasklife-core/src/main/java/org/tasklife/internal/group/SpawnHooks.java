package org.tasklife.internal.group;

import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import org.tasklife.SpawnRefusedException;
import org.tasklife.internal.task.TaskControlBlock;

/**
 * What a kernel does to a task's body at spawn, on the spawning thread, before it creates anything: the
 * context the new task carries from its spawner. The spawning task's inheritable task-local values are captured
 * (through each key's child-value function), and the kernel's spawn decorator (set by the API from
 * {@code Kernel.Builder.spawnDecorator}) wraps the body. In the new task, on its own thread, the inherited values
 * are set first, then the decorator's Runnable runs, which runs the body.
 */
final class SpawnHooks {
    /*
     * Implementation notes
     *
     * Runs in GroupLifecycle.spawnGroup / spawnTask before their reservations, with no lock held: the decorator is
     * user code (contract K10, DESIGN I5), and so are the child-value functions of inheritable keys; a refusal
     * here leaves nothing to undo (contract P3). With no decorator and a spawner holding no inheritable value the
     * cost is a thread-local read (the spawning task) and two null checks.
     */

    private final BiFunction<Callable<?>, String, Callable<?>> decorator; // immutable; null: none

    /** @param decorator wraps a body named by its second argument ("task 'x'"), or {@code null} */
    SpawnHooks(BiFunction<Callable<?>, String, Callable<?>> decorator) {
        this.decorator = decorator;
    }

    /**
     * The body the new task runs in place of {@code body}.
     *
     * @param what names the task for error messages ("task 'x'", "group 'x'")
     * @throws org.tasklife.SpawnRefusedException if the decorator refuses (nothing is created)
     */
    Callable<?> prepare(Callable<?> body, String what) {
        Runnable inherit = inherited(what);
        Callable<?> run = decorator == null ? body : decorator.apply(body, what);
        if (inherit == null) {
            return run;
        }
        return () -> {
            inherit.run(); // the new task's own thread, before the decorator's Runnable: it sees the values
            return run.call();
        };
    }

    /**
     * What the new task inherits from the spawning task (inheritable task-local values), or {@code null}: asked
     * now, on the spawning thread, so the new task gets the values of the moment of its spawn.
     */
    private static Runnable inherited(String what) {
        TaskControlBlock spawner = TaskControlBlock.current();
        if (spawner == null) {
            return null; // host code has no task-local values
        }
        try {
            return spawner.captureInherited();
        } catch (RuntimeException e) {
            throw new SpawnRefusedException("cannot spawn " + what + ": the child-value function of an inheritable"
                    + " TaskLocal threw " + e, e);
        }
    }
}
