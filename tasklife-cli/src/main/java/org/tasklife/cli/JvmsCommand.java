package org.tasklife.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tasklife jvms}: the local JVMs that run a tasklife kernel. */
@Command(name = "jvms", mixinStandardHelpOptions = true,
        description = "List the local JVMs (of this user, other than this command's) that run a tasklife kernel: "
                + "pid, main class, kernels and live tasks. Attaching starts their local management agent.")
final class JvmsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Jvms.Info> found = Jvms.scan();
        out.println(Jvms.header());
        for (Jvms.Info i : found) {
            out.println(i.line());
        }
        return CliException.OK;
    }
}
