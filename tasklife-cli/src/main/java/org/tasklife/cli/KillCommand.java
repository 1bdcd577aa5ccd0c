package org.tasklife.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tasklife kill ID|NAME}: kills one task of a kernel in a JVM. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Kill a task (whatever it is doing) in a running JVM; its owned resources are closed. "
                + "A task already killed or ending is reported and the exit code is 0.")
final class KillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Parameters(index = "0", paramLabel = "TASK_ID|NAME",
            description = "The task id (TID in `tasklife ps`), or the name of a live task or group if only one has it.")
    String task;

    @Override
    public Integer call() {
        try (JvmConnection jvm = target.open()) {
            KernelRef k = target.selectOne(jvm);
            long taskId = Names.isId(task) ? Long.parseLong(task) : Names.task(task, k.snapshot().snapshot(), k.label());
            boolean killed;
            try {
                killed = k.mx().kill(taskId);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
            spec.commandLine().getOut().println(killed
                    ? "killed task " + taskId + " of kernel " + k.label()
                    : "task " + taskId + " of kernel " + k.label() + " was already killed or ending");
        }
        return CliException.OK;
    }
}
