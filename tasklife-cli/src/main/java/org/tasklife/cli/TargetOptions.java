package org.tasklife.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The options that pick a JVM and, in it, kernels: {@code --pid} and {@code --kernel}. */
final class TargetOptions {
    @Option(names = "--pid", paramLabel = "JVM_PID",
            description = "The process id of the JVM to look at (see `tasklife jvms`); may be omitted when exactly "
                    + "one other local JVM runs a kernel.")
    Long pid;

    @Option(names = "--kernel", paramLabel = "NAME|ID",
            description = "Only the kernel with this name or instance id (when the JVM runs several).")
    String kernel;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    /** The JVM to connect to: {@code --pid}, or the only other local JVM running a kernel. */
    long pid() {
        return pid != null ? pid : Jvms.pickOnly(Jvms.scan());
    }

    /** Opens the connection to {@link #pid()}. */
    JvmConnection open() {
        return JvmConnection.open(pid());
    }

    /** Kernels of the connected JVM that {@code --kernel} selects (all without it). */
    List<KernelRef> select(JvmConnection jvm) {
        List<KernelRef> all = jvm.kernels();
        if (kernel == null) {
            return all;
        }
        List<KernelRef> chosen = all.stream()
                .filter(k -> k.name().equals(kernel) || Long.toString(k.instanceId()).equals(kernel)).toList();
        if (chosen.isEmpty()) {
            throw new CliException("JVM " + jvm.pid() + " has no kernel named or numbered '" + kernel + "'; it has "
                    + labels(all));
        }
        return chosen;
    }

    /** The one kernel to act on: {@code --kernel}'s, or the only one. */
    KernelRef selectOne(JvmConnection jvm) {
        List<KernelRef> chosen = select(jvm);
        if (chosen.size() > 1) {
            throw new CliException("JVM " + jvm.pid() + " runs " + chosen.size() + " kernels (" + labels(chosen)
                    + "): choose one with --kernel NAME|ID");
        }
        return chosen.get(0);
    }

    private static String labels(List<KernelRef> ks) {
        return String.join(", ", ks.stream().map(KernelRef::label).toList());
    }
}
