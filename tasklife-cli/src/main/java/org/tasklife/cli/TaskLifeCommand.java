package org.tasklife.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code tasklife} command: only subcommands. */
@Command(name = "tasklife", mixinStandardHelpOptions = true, versionProvider = TaskLifeCommand.Version.class,
        description = "Kernel-grade task lifecycle for the JVM: a demo, and ps/top/tree/kill/stop/observe on a running "
                + "JVM.",
        subcommands = {DemoCommand.class, JvmsCommand.class, PsCommand.class, TopCommand.class, TreeCommand.class,
            KillCommand.class, StopCommand.class, ObserveCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 done (also a kill or stop of what is already ending), 1 refused or not found, "
                + "2 bad usage.", "", "Start with: tasklife demo"})
final class TaskLifeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --version}: the project version, written into {@code version.properties} by the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tasklife " + version()};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = TaskLifeCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p.getProperty("version", "(unknown version)");
        }
    }
}
