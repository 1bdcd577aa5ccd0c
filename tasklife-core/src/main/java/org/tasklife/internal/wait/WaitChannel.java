package org.tasklife.internal.wait;

import java.util.function.Supplier;

/**
 * What a blocked task waits for, for introspection (contract §1 "wait channel"): rendered only when a
 * snapshot asks, so building one on the blocking path costs an allocation, not a string.
 */
public final class WaitChannel {
    private final Supplier<String> description; // immutable

    private WaitChannel(Supplier<String> description) {
        this.description = description;
    }

    /** A channel described by a fixed text. */
    public static WaitChannel of(String text) {
        return new WaitChannel(() -> text);
    }

    /** A channel whose description is computed when rendered (e.g. an owner that changes). */
    public static WaitChannel lazy(Supplier<String> description) {
        return new WaitChannel(description);
    }

    @Override
    public String toString() {
        return description.get();
    }
}
