package org.tasklife.cli;

/**
 * A failure to tell the user in one line (unknown pid, no kernel, bad id), with the exit code to end with.
 * {@link Main} prints its message without a stack trace unless {@code --verbose} is given.
 *
 * <p>Exit codes, the same for every subcommand (README, "Exit codes"): {@link #OK} done, including a kill
 * of a task already killed or ending and a stop of a domain already stopping (the asked-for end holds);
 * {@link #FAILED} refused or not found (no such process, kernel, task or domain; an ambiguous name; a failed
 * demo check); {@link #USAGE} bad usage (unknown option or subcommand, bad value, a target that must be
 * chosen with an option).
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of a command that did what was asked. */
    static final int OK = 0;
    /** Exit code of a refused command, or one whose target was not found. */
    static final int FAILED = 1;
    /** Exit code of bad usage. */
    static final int USAGE = 2;

    private final int exitCode;

    CliException(String message) {
        this(message, null);
    }

    CliException(String message, Throwable cause) {
        this(message, cause, FAILED);
    }

    private CliException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A usage error (exit 2). */
    static CliException usage(String message) {
        return new CliException(message, null, USAGE);
    }

    int exitCode() {
        return exitCode;
    }
}
