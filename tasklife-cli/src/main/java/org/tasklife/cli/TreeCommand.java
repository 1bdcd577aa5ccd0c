package org.tasklife.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tasklife tree}: domains → groups → tasks of every kernel in a JVM. */
@Command(name = "tree", mixinStandardHelpOptions = true,
        description = "Draw the domains, groups and tasks of the tasklife kernels in a running JVM as a tree.")
final class TreeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--no-color", description = "Plain text, no ANSI colors.")
    boolean noColor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Style s = Style.choose(noColor);
        try (JvmConnection jvm = JvmConnection.open(target.pid)) {
            for (KernelRef k : target.select(jvm)) {
                out.print(TreeView.render(k.snapshot(), s));
            }
        }
        return 0;
    }
}
