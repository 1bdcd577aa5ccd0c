package org.tasklife.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tasklife kill [--group] ID|NAME}: kills one task, or a whole group, of a kernel in a JVM. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Kill a task or a whole group (whatever it is doing) in a running JVM; owned resources are "
                + "closed. Something already killed or ending is reported and the exit code is 0.")
final class KillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Parameters(index = "0", paramLabel = "ID|NAME",
            description = "The task id (TID in `tasklife ps`; a group id with --group), or the name of a live group "
                    + "(the whole group is killed) or task if only one has it.")
    String task;

    @Option(names = {"-g", "--group"}, description = "The id is a group's (TGID in `tasklife ps`): kill the whole group.")
    boolean group;

    @Override
    public Integer call() {
        try (JvmConnection jvm = target.open()) {
            KernelRef k = target.selectOne(jvm);
            Names.KillTarget target = Names.killTarget(task, group, k.snapshot().snapshot(), k.label());
            String what = (target.group() ? "group " : "task ") + target.id();
            boolean killed;
            try {
                killed = target.group() ? k.mx().killGroup(target.id()) : k.mx().kill(target.id());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
            spec.commandLine().getOut().println(killed
                    ? "killed " + what + " of kernel " + k.label()
                    : what + " of kernel " + k.label() + " was already killed or ending");
        }
        return CliException.OK;
    }
}
