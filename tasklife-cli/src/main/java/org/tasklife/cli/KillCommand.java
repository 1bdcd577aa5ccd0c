package org.tasklife.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tasklife kill ID}: kills one task of a kernel in a JVM. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Kill a task (whatever it is doing) in a running JVM; its owned resources are closed.")
final class KillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Parameters(index = "0", paramLabel = "TASK_ID", description = "The task id (TID in `tasklife ps`).")
    long taskId;

    @Override
    public Integer call() {
        try (JvmConnection jvm = JvmConnection.open(target.pid)) {
            KernelRef k = target.selectOne(jvm);
            boolean killed;
            try {
                killed = k.mx().kill(taskId);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
            if (!killed) {
                throw new CliException("task " + taskId + " of kernel " + k.label()
                        + " was not killed: it is already killed or ending");
            }
            spec.commandLine().getOut().println("killed task " + taskId + " of kernel " + k.label());
        }
        return 0;
    }
}
