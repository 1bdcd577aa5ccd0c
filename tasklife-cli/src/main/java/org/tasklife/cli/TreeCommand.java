package org.tasklife.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tasklife.management.KernelView;
import org.tasklife.observer.ViewJson;
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

    @Option(names = "--json", description = "Print JSON (as `ps --json`): each kernel's domains and groups, with "
            + "their parent ids, and its tasks.")
    boolean json;

    @Option(names = "--no-color", description = "Plain text, no ANSI colors.")
    boolean noColor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Style s = Style.choose(noColor);
        try (JvmConnection jvm = target.open()) {
            List<KernelView> views = new ArrayList<>();
            for (KernelRef k : target.select(jvm)) {
                views.add(k.snapshot());
            }
            if (json) {
                out.println(ViewJson.of(jvm.pid(), views));
            } else {
                for (KernelView v : views) {
                    out.print(TreeView.render(v, s));
                }
            }
        }
        return 0;
    }
}
