package org.tasklife;

import java.util.Objects;

/**
 * How a task or a task group ended: exactly one of {@link Exited}, {@link Killed} or {@link Failed}.
 *
 * <p>For a group, {@code Exited(code)} comes from {@code exitGroup(code)}, from its main task returning
 * {@code code}, or is {@code Exited(0)} when its last task ended without either (docs/contract.md, E2–E4). For a
 * task, {@code Exited} means its body returned or it called {@link Tasks#exit()}.
 */
public sealed interface ExitStatus permits ExitStatus.Exited, ExitStatus.Killed, ExitStatus.Failed {

    /**
     * The normal end, with an exit code ({@code 0} for a task whose body returned).
     *
     * @param code the exit code
     */
    record Exited(int code) implements ExitStatus {
        @Override
        public String toString() {
            return "Exited(" + code + ")";
        }
    }

    /** Ended by a kill: of the task, of its group, or of its domain. */
    record Killed() implements ExitStatus {
        @Override
        public String toString() {
            return "Killed";
        }
    }

    /**
     * Ended by an uncaught throwable.
     *
     * @param cause the throwable
     */
    record Failed(Throwable cause) implements ExitStatus {
        /**
         * Creates the status.
         *
         * @throws NullPointerException if {@code cause} is null
         */
        public Failed {
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public String toString() {
            return "Failed(" + cause + ")";
        }
    }

    /** The shared {@link Killed} value. */
    Killed KILLED = new Killed();

    /**
     * {@return {@code Exited(code)}}
     *
     * @param code the exit code
     */
    static ExitStatus exited(int code) {
        return new Exited(code);
    }

    /** {@return whether this is {@code Exited} with code 0} */
    default boolean isSuccess() {
        return this instanceof Exited e && e.code() == 0;
    }
}
