package org.tasklife.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * Entry point of {@code tasklife.jar}: runs one command and exits with its code.
 *
 * <p>Exit codes, for every subcommand: 0 done (a kill of a task already killed or ending, and a stop of a domain
 * already stopping, are done too); 1 refused or not found (a one-line message on stderr: unknown pid, no
 * kernel, unknown or ambiguous id or name, a failed demo audit); 2 bad usage (unknown subcommand or option,
 * bad value, {@code --pid} omitted where several JVMs run a kernel).
 */
public final class Main {
    private Main() {}

    /**
     * Runs the command line {@code args} and exits the JVM with its code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /**
     * Runs the command line {@code args}, printing to {@code out} and {@code err}.
     *
     * @param args the command line
     * @param out where the command's output goes
     * @param err where errors and usage messages go
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = List.of(args).contains("--verbose");
        CommandLine cl = new CommandLine(new TaskLifeCommand());
        cl.setOut(out);
        cl.setErr(err);
        TaskLifeCommand.Version version = new TaskLifeCommand.Version();
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(version); // -V on every subcommand prints the version
        }
        cl.setParameterExceptionHandler(Suggest::handle);
        cl.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            String message = e instanceof CliException ? e.getMessage() : describe(e);
            err.println("tasklife " + cmd.getCommandName() + ": " + message);
            if (verbose) {
                e.printStackTrace(err);
            } else if (!(e instanceof CliException)) {
                err.println("(run again with --verbose for the stack trace)");
            }
            err.flush();
            return e instanceof CliException c ? c.exitCode() : CliException.FAILED;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
