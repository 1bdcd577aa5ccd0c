package org.tasklife.cli;

/**
 * A failure to tell the user in one line (unknown pid, no kernel, bad id), with the exit code to end with.
 * {@link Main} prints its message without a stack trace unless {@code --verbose} is given.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of a failed command. */
    static final int FAILED = 1;

    private final int exitCode;

    CliException(String message) {
        this(message, null);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = FAILED;
    }

    int exitCode() {
        return exitCode;
    }
}
