package org.tasklife.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code tasklife} command: only subcommands. */
@Command(name = "tasklife", mixinStandardHelpOptions = true, version = "tasklife 0.1.0-SNAPSHOT",
        description = "Kernel-grade task lifecycle for the JVM: a demo, and ps/top/tree/kill/stop on a running JVM.",
        subcommands = {DemoCommand.class, PsCommand.class, TopCommand.class, TreeCommand.class, KillCommand.class,
            StopCommand.class},
        footer = {"", "Start with: tasklife demo"})
final class TaskLifeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
