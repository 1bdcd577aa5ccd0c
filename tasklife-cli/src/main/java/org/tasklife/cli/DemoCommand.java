package org.tasklife.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tasklife demo}: the README's first command. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a short story on a real kernel (a few seconds) and audit it for leaks.", "",
            "Groups compute, sleep and block in every primitive; a live process table; a kill of a task blocked "
                    + "in a mutex; the stop of a domain of thousands of blocked tasks next to interrupting as many "
                    + "plain virtual threads; a leak audit. Exits 1 if any check fails."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Only the results and the audit: no live table, no narration.")
    boolean quiet;

    @Option(names = "--no-color", description = "Plain text: no ANSI colors, no redrawing in place.")
    boolean noColor;

    @Option(names = "--tasks", defaultValue = "10000", paramLabel = "N",
            description = "Tasks in the domain that is stopped whole (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--hold", description = "Pause once the shop's tasks are blocked, until Enter, so that "
            + "`tasklife ps|top|tree|kill|stop` can be tried on it from another terminal.")
    boolean hold;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() {
        if (tasks < 7 || tasks > 1_000_000) {
            throw CliException.usage("--tasks must be between 7 and 1000000, was " + tasks);
        }
        DemoStory.Hold pause = !hold ? null : () -> new BufferedReader(
                new InputStreamReader(System.in, Charset.defaultCharset())).readLine(); // end of input goes on too
        return new DemoStory(spec.commandLine().getOut(), Style.choose(noColor), quiet, tasks, pause).run();
    }
}
