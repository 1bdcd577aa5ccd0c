package org.tasklife.internal.group;

import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * What a kernel does to a task's body at spawn, on the spawning thread, before it creates anything: the
 * context the new task carries from its spawner. The kernel's spawn decorator (set by the API from
 * {@code Kernel.Builder.spawnDecorator}) wraps the body.
 */
final class SpawnHooks {
    /*
     * Implementation notes
     *
     * Runs in GroupLifecycle.spawnGroup / spawnTask before their reservations, with no lock held: the decorator is
     * user code (contract K10, DESIGN I5), and a refusal here leaves nothing to undo (contract P3). With no
     * decorator the cost is a null check.
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
        return decorator == null ? body : decorator.apply(body, what);
    }
}
