package org.tasklife;

import java.util.Objects;

/**
 * Carries context from the code that spawns a task into the task, as Spring's {@code TaskDecorator} does for
 * executors: logging MDC, tracing spans, security or locale contexts, anything kept in a {@code ThreadLocal} that
 * a new thread does not see. Set one per kernel with {@link Kernel.Builder#spawnDecorator(SpawnDecorator)}.
 *
 * <p>{@link #decorate(Runnable)} is called on the <em>spawning</em> thread at every spawn of the kernel (a task,
 * a group's main task; from host code or from a task), after the spawn's arguments were checked and before
 * anything is created; it captures what it needs there and returns a {@code Runnable} that runs on the new
 * task's own thread, when the task starts, around its body: it restores the context, calls {@code run()} of the
 * {@code Runnable} it was given (which runs the body), and cleans up after.
 *
 * <pre>{@code
 * Kernel kernel = Kernel.builder().spawnDecorator(body -> {
 *     Map<String, String> mdc = MDC.getCopyOfContextMap();   // on the spawning thread
 *     return () -> {                                         // on the task's thread
 *         if (mdc != null) MDC.setContextMap(mdc);
 *         try { body.run(); } finally { MDC.clear(); }
 *     };
 * }).boot();
 * }</pre>
 *
 * <p>Rules:
 * <ul>
 * <li>If {@code decorate} throws an exception, or returns {@code null}, the spawn is refused with
 *     {@link SpawnRefusedException} (the exception as its cause) and nothing is created (docs/contract.md, P3).
 *     An {@link Error} passes through as it is, also creating nothing.</li>
 * <li>The returned {@code Runnable} must call {@code run()} once, on the thread it runs on (the task's). A
 *     second call, or a call from another thread, throws {@link IllegalStateException}; if it returns without
 *     calling it, the task fails with an {@link IllegalStateException} (docs/contract.md, E5).</li>
 * <li>The task's outcome is its body's: {@code run()} returns normally when the body did, and otherwise throws
 *     exactly what the body threw (a checked exception included, or the kill throwable, {@link TaskKilledError}),
 *     which the decorator may observe but cannot swallow: the task ends with the body's failure or kill
 *     all the same. An exception the decorator's own code throws after a body that returned fails the task.</li>
 * <li>A task killed before it starts runs neither its body nor the decorator's {@code Runnable}.</li>
 * <li>No tasklife lock is held while either part runs.</li>
 * </ul>
 */
@FunctionalInterface
public interface SpawnDecorator {
    /**
     * Called on the spawning thread: captures what the new task needs and returns what runs on the task's thread
     * around its body.
     *
     * @param body runs the task's body; the returned {@code Runnable} calls its {@code run()} once, on its own
     *     thread
     * @return what runs on the new task's thread in place of {@code body}
     */
    Runnable decorate(Runnable body);

    /**
     * A decorator that applies this one, then {@code after} to what this one returned: {@code after}'s
     * {@code Runnable} is the outer one in the task (it runs first and finishes last), and at spawn this
     * decorator is called first. This is the order of Spring's {@code CompositeTaskDecorator}.
     *
     * @param after the decorator to apply next
     * @return the composed decorator
     * @throws NullPointerException if {@code after} is null
     */
    default SpawnDecorator andThen(SpawnDecorator after) {
        Objects.requireNonNull(after, "after");
        return body -> {
            Runnable inner = decorate(body);
            return after.decorate(Objects.requireNonNull(inner, "spawn decorator returned null"));
        };
    }
}
