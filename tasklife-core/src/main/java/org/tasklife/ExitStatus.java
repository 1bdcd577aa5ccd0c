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

    /**
     * Ended by a kill: of the task, of its group, or of its domain, or because a deadline or a termination
     * grace ran out. The reason says which; every killed status is a {@code Killed}, so
     * {@code status instanceof Killed} is "ended by a kill" whatever the reason, and
     * {@code status.equals(ExitStatus.KILLED)} is "ended by an explicit kill" ({@link KillReason#KILL}).
     *
     * <p>Why a component rather than more status types: a deadline or an expired grace ends the task by the
     * very same kill (docs/contract.md, K1–K8), and code that asks "was it killed?" must keep its answer;
     * the reason is extra information for the code that wants it.
     *
     * @param reason why it was killed
     */
    record Killed(KillReason reason) implements ExitStatus {
        /**
         * Creates the status.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Killed {
            Objects.requireNonNull(reason, "reason");
        }

        /** Creates the status of an explicit kill, {@link KillReason#KILL}: equal to {@link ExitStatus#KILLED}. */
        public Killed() {
            this(KillReason.KILL);
        }

        /** {@return {@code Killed} for an explicit kill, else {@code Killed(REASON)}, e.g. {@code Killed(DEADLINE)}} */
        @Override
        public String toString() {
            return reason == KillReason.KILL ? "Killed" : "Killed(" + reason + ")";
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

    /** The shared {@link Killed} value of an explicit kill ({@link KillReason#KILL}). */
    Killed KILLED = new Killed();

    /**
     * {@return {@code Killed(reason)}; {@link #KILLED} for {@link KillReason#KILL}}
     *
     * @param reason why it was killed
     * @throws NullPointerException if {@code reason} is null
     */
    static Killed killed(KillReason reason) {
        return reason == KillReason.KILL ? KILLED : new Killed(reason);
    }

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
