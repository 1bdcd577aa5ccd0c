package org.tasklife.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The local JVMs that run a tasklife kernel, found through the attach API and the kernel MXBean. */
final class Jvms {
    /*
     * Implementation notes
     *
     * 1. Only JVMs that VirtualMachine.list() reports are attached to (never a bare pid: see JvmConnection).
     * 2. Each listed JVM other than this one is attached to and its kernel MXBeans queried; a JVM that cannot
     *    be attached to, or that runs no kernel, is left out of the list (it cannot be the target anyway).
     * Known limit: looking starts the local management agent of every listed JVM of this user (the JDK has no
     * way to query MBeans without it); it stays on until that JVM exits and accepts local connections only.
     */

    private Jvms() {}

    /**
     * One JVM running at least one kernel.
     *
     * @param pid its process id
     * @param mainClass its main class or jar, as the attach API names it
     * @param kernels its kernels' labels (name#id)
     * @param liveTasks live tasks over all its kernels
     */
    record Info(long pid, String mainClass, List<String> kernels, long liveTasks) {
        String line() {
            return String.format("%-8d %-40s %-30s %d", pid, mainClass, String.join(",", kernels), liveTasks);
        }
    }

    /** The header of {@link Info#line()}. */
    static String header() {
        return String.format("%-8s %-40s %-30s %s", "PID", "MAIN", "KERNELS", "LIVE");
    }

    /** The local JVMs (this one excluded) that run a kernel, by pid. */
    static List<Info> scan() {
        long self = ProcessHandle.current().pid();
        List<Info> out = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            long pid;
            try {
                pid = Long.parseLong(d.id());
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == self) {
                continue;
            }
            try (JvmConnection jvm = JvmConnection.open(pid)) {
                List<String> labels = new ArrayList<>();
                long live = 0;
                for (KernelRef k : jvm.kernels()) {
                    labels.add(k.label());
                    live += k.snapshot().liveTasks();
                }
                String main = d.displayName().isBlank() ? "?" : d.displayName().split(" ", 2)[0];
                out.add(new Info(pid, main, List.copyOf(labels), live));
            } catch (RuntimeException e) {
                // not attachable, gone meanwhile, or no kernel: not a candidate (note 2)
            }
        }
        out.sort(Comparator.comparingLong(Info::pid));
        return out;
    }

    /**
     * The pid to use when {@code --pid} is omitted: the only JVM of {@code found}.
     *
     * @throws CliException (usage) if there is none or several, listing them
     */
    static long pickOnly(List<Info> found) {
        if (found.size() == 1) {
            return found.get(0).pid();
        }
        if (found.isEmpty()) {
            throw CliException.usage("--pid omitted and no other local JVM runs a tasklife kernel"
                    + " (start one, e.g. `tasklife demo --hold`, or give --pid JVM_PID)");
        }
        StringBuilder sb = new StringBuilder("--pid omitted and " + found.size()
                + " local JVMs run a tasklife kernel: choose one with --pid JVM_PID\n" + header());
        for (Info i : found) {
            sb.append('\n').append(i.line());
        }
        throw CliException.usage(sb.toString());
    }
}
