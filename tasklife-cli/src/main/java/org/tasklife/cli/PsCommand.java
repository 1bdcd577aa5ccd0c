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

/** {@code tasklife ps}: the live tasks of every kernel in a JVM, once. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "Print the live tasks of the tasklife kernels in a running JVM.",
        footer = {"", "CPU is exact for a task on a platform thread. A virtual thread has no CPU clock in the JVM: its CPU is the time "
                + "between tasklife waits, an estimate that also counts time blocked outside tasklife (Thread.sleep, JDK I/O) "
                + "and time waiting for a carrier."})
final class PsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--json", description = "Print JSON: counters, domains, groups and tasks of each kernel.")
    boolean json;

    @Option(names = "--no-color", description = "Plain text, no ANSI colors.")
    boolean noColor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (JvmConnection jvm = target.open()) {
            List<KernelView> views = new ArrayList<>();
            for (KernelRef k : target.select(jvm)) {
                views.add(k.snapshot());
            }
            if (json) {
                out.println(ViewJson.of(jvm.pid(), views));
            } else {
                Style s = Style.choose(noColor);
                for (KernelView v : views) {
                    out.println(ProcessTable.summary(v, s));
                    out.print(ProcessTable.render(v, s));
                }
            }
        }
        return 0;
    }
}
