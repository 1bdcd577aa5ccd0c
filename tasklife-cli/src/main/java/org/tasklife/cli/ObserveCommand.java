package org.tasklife.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.tasklife.observer.Observer;
import org.tasklife.observer.ObserverOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tasklife observe}: a live web page of a JVM's kernels, with kill and stop buttons, until Ctrl-C. */
@Command(name = "observe", mixinStandardHelpOptions = true,
        description = {"Serve a live web page of the domains, groups and tasks of the tasklife kernels in a running "
                + "JVM (state, wait channel, owner, CPU, age; updated every second), with buttons that kill a task "
                + "or a group and stop a domain. It listens on 127.0.0.1 only. The address printed carries a "
                + "random token (after #token=) that every request needs: without it nothing is shown or changed.",
            "Runs until Ctrl-C, or until the JVM observed exits."})
final class ObserveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "The port to listen on (default: a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = ObserverOptions.LOOPBACK,
            description = "The address to listen on: only ${DEFAULT-VALUE} (or localhost) is accepted, since the "
                    + "page can kill tasks.")
    String bind;

    @Override
    public Integer call() {
        ObserverOptions options;
        try {
            options = ObserverOptions.defaults().bindAddress(bind).port(port);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        try (JvmConnection jvm = target.open()) {
            List<KernelRef> kernels = target.select(jvm);
            Observer observer;
            try {
                observer = Observer.start(new JmxSource(jvm, kernels), options);
            } catch (UncheckedIOException e) {
                throw new CliException(e.getMessage(), e);
            }
            try (observer) {
                out.println("observing JVM " + jvm.pid() + " (kernels " + String.join(", ",
                        kernels.stream().map(KernelRef::label).toList()) + ") on 127.0.0.1 only; open:");
                out.println("  " + observer.pageUri());
                out.println("The token in that address is needed for every request (keep it to yourself). "
                        + "Ctrl-C stops.");
                out.flush();
                return awaitEnd(jvm.pid(), out);
            }
        }
    }

    /** Waits until the observed JVM exits (exit 0) or this thread is interrupted (exit 0). */
    private static int awaitEnd(long pid, PrintWriter out) {
        Optional<ProcessHandle> target = pid == ProcessHandle.current().pid() ? Optional.empty()
                : ProcessHandle.of(pid); // this JVM's own onExit() is refused by the JDK
        CompletableFuture<?> end = target.<CompletableFuture<?>>map(ProcessHandle::onExit)
                .orElseGet(CompletableFuture::new); // this JVM: until interrupted
        try {
            end.get();
            out.println("JVM " + pid + " exited: the observer stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return CliException.OK;
    }
}
