package org.tasklife;

import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * A task's body run through the kernel's {@link SpawnDecorator}: the adapter between the kernel's bodies
 * ({@code Callable}s with a result) and a decorator's {@code Runnable}s.
 */
final class DecoratedBody implements Runnable {
    /*
     * Implementation notes
     *
     * At spawn (spawning thread): of() calls the decorator with a fresh DecoratedBody, and returns the Callable the
     * task will run; a decorator that throws or answers null refuses the spawn before anything is created (the
     * kernel calls of() before it reserves anything).
     *
     * In the task (its own thread): call() records the thread, runs the decorator's Runnable, and then answers
     * with the body's outcome, whatever the decorator did with it:
     *  B1 run() runs the body at most once, and only on the thread that called call(); anything else throws
     *     IllegalStateException there and leaves the body unrun.
     *  B2 a throwable of the body is recorded before it propagates through the decorator's code (unchecked: a
     *     checked exception is rethrown as it is, so a decorator sees what the body threw), and call() rethrows it
     *     even if the decorator swallowed it; a different throwable of the decorator's own is added to it as
     *     suppressed.
     *  B3 a body that returned gives its result, unless the decorator's code threw afterwards (that fails the
     *     task) or never ran it (IllegalStateException: the task fails).
     * Fields are plain: every access after the spawn is on the task's thread (run() from another thread reads
     * only `thread`, written before the decorator's Runnable starts on the task's thread; a stale read there
     * only refuses, as B1 wants).
     */

    private final Callable<?> body;   // immutable
    private Thread thread;            // the task's thread: set by call() before the decorator's Runnable runs
    private boolean ran;              // B1
    private Object result;            // B3
    private Throwable failure;        // B2

    private DecoratedBody(Callable<?> body) {
        this.body = body;
    }

    /**
     * The body of a task that {@code decorator} decorates, or a refusal: called on the spawning thread.
     *
     * @param what names the task for the refusal's message ("task 'x'", "group 'x'")
     * @throws SpawnRefusedException if the decorator throws an exception or returns null (nothing is created)
     */
    static Callable<?> of(SpawnDecorator decorator, Callable<?> body, String what) {
        DecoratedBody b = new DecoratedBody(body);
        Runnable decorated;
        try {
            decorated = decorator.decorate(b);
        } catch (RuntimeException e) {
            throw new SpawnRefusedException("cannot spawn " + what + ": the spawn decorator threw " + e, e);
        }
        if (decorated == null) {
            throw new SpawnRefusedException("cannot spawn " + what + ": the spawn decorator returned null");
        }
        return () -> b.call(decorated);
    }

    /** {@link #of} as the kernel's spawn hook: the decorator applied to a body named by its second argument. */
    static BiFunction<Callable<?>, String, Callable<?>> hook(SpawnDecorator decorator) {
        return (body, what) -> of(decorator, body, what);
    }

    /** On the task's thread: runs {@code decorated} and answers with the body's outcome (B2, B3). */
    private Object call(Runnable decorated) throws Exception {
        thread = Thread.currentThread();
        try {
            decorated.run();
        } catch (Throwable t) {
            if (failure == null) {
                throw t; // the decorator's own failure (B3); a checked one only as the body's, which is recorded
            }
            if (t != failure) {
                failure.addSuppressed(t);
            }
        }
        if (failure != null) {
            throw DecoratedBody.<Exception>sneaky(failure); // B2: the body's failure, swallowed or not
        }
        if (!ran) {
            throw new IllegalStateException("the spawn decorator's Runnable returned without running the task's body"
                    + " (it did not run)");
        }
        return result;
    }

    /** Runs the body, once, on the task's thread (B1); rethrows what it throws, checked or not (B2). */
    @Override
    public void run() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a spawn decorator must run the task's body on the task's own thread, not on '"
                    + Thread.currentThread().getName() + "'");
        }
        if (ran) {
            throw new IllegalStateException("a spawn decorator runs the task's body once only");
        }
        ran = true;
        try {
            result = body.call();
        } catch (Throwable t) {
            failure = t;
            throw DecoratedBody.<RuntimeException>sneaky(t);
        }
    }

    /** Throws {@code t} as it is, checked or not: the compiler takes it for an {@code E}. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    @Override
    public String toString() {
        return "task body " + body;
    }
}
