package org.tasklife.internal.sched;

import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * How the schedule explorer ({@code org.tasklife.explore}) boots a deterministic kernel on decisions it
 * scripts and reads back. The public way into deterministic mode takes a seed; the explorer needs to hand
 * the kernel builder a {@link Choices} of its own, which is no API. The builder lends that package-private
 * setter here once, when its class is initialised, and the explorer calls it through {@link #decide} (the
 * JDK's {@code SharedSecrets} idiom: one package lends another a method without making it public).
 * Typed on {@code Object}, so that this package never names the API.
 */
public final class DeterministicAccess {
    private static volatile BiConsumer<Object, Supplier<Choices>> setter; // set once by Kernel.Builder's class init

    private DeterministicAccess() {}

    /**
     * Called once, by the kernel builder's class initialiser.
     *
     * @param s sets a builder (its first argument) to deterministic mode on the given decisions
     * @throws IllegalStateException if a setter was lent already
     */
    public static void lend(BiConsumer<Object, Supplier<Choices>> s) {
        if (setter != null) {
            throw new IllegalStateException("the deterministic-mode setter was lent already");
        }
        setter = Objects.requireNonNull(s, "setter");
    }

    /**
     * Sets {@code builder} to deterministic mode on {@code decisions}, asked once per boot.
     *
     * @param builder a kernel builder (its class is initialised: it exists)
     * @param decisions the source of each boot's decisions
     */
    public static void decide(Object builder, Supplier<Choices> decisions) {
        Objects.requireNonNull(builder, "builder");
        setter.accept(builder, decisions);
    }
}
