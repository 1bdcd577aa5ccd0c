package org.tasklife.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.tasklife.management.KernelMXBean;

/**
 * A JMX connection to the MBean server of a JVM, found by pid: the JVM running the command itself is used
 * directly; another JVM is reached through the JDK attach API, which starts its local management agent
 * (a JMX connector that accepts local connections only) and hands back its address.
 */
final class JvmConnection implements AutoCloseable {
    /*
     * Implementation notes
     *
     * A pid is attached to only if the attach API lists it (VirtualMachine.list(), from the JVMs' perf data
     * files): on Linux, attaching sends SIGQUIT to the target, which would end a process that is not a JVM.
     * A JVM started with -XX:-UsePerfData is therefore not found; the message says so.
     *
     * Known limits: the local management agent, once started, stays on in the target JVM until it exits
     * (the JDK has no call to stop it); it accepts connections from the same machine only. Attaching to
     * the JVM running the command is refused by the JDK (jdk.attach.allowAttachSelf), so that one is read
     * in-process.
     */

    private final long pid;
    private final MBeanServerConnection server;
    private final JMXConnector connector; // null for this JVM

    private JvmConnection(long pid, MBeanServerConnection server, JMXConnector connector) {
        this.pid = pid;
        this.server = server;
        this.connector = connector;
    }

    /**
     * Connects to the JVM with this pid.
     *
     * @throws CliException if there is no such process, it is not an attachable JVM, or attaching fails
     */
    static JvmConnection open(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            return new JvmConnection(pid, ManagementFactory.getPlatformMBeanServer(), null);
        }
        if (pid <= 0 || ProcessHandle.of(pid).isEmpty()) {
            throw new CliException("no process with pid " + pid);
        }
        String id = Long.toString(pid);
        boolean listed = false;
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            listed |= d.id().equals(id);
        }
        if (!listed) {
            String cmd = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("?");
            throw new CliException("process " + pid + " (" + cmd + ") is not a Java VM that this user can attach to"
                    + " (it must run as the same user, with attach and perf data enabled)");
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(id);
        } catch (AttachNotSupportedException | IOException | SecurityException e) {
            throw new CliException("cannot attach to JVM " + pid + ": " + e.getMessage(), e);
        }
        try {
            String address = vm.startLocalManagementAgent();
            JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address));
            return new JvmConnection(pid, c.getMBeanServerConnection(), c);
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot open a JMX connection to JVM " + pid + ": " + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the JMX connection, if any, does not depend on the attach channel
            }
        }
    }

    long pid() {
        return pid;
    }

    /**
     * The tasklife kernels in the JVM, by instance id.
     *
     * @throws CliException if it has none
     */
    List<KernelRef> kernels() {
        Set<ObjectName> names;
        try {
            names = server.queryNames(new ObjectName(KernelMXBean.QUERY), null);
        } catch (IOException e) {
            throw new CliException("lost the connection to JVM " + pid + ": " + e.getMessage(), e);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        if (names.isEmpty()) {
            throw new CliException("JVM " + pid + " runs no tasklife kernel (no MBean matches " + KernelMXBean.QUERY + ")");
        }
        List<KernelRef> out = new ArrayList<>();
        for (ObjectName n : names) {
            KernelMXBean mx = JMX.newMXBeanProxy(server, n, KernelMXBean.class);
            String id = n.getKeyProperty("id");
            String name = n.getKeyProperty("name");
            out.add(new KernelRef(name.startsWith("\"") ? ObjectName.unquote(name) : name,
                    id == null ? 0 : Long.parseLong(id), mx));
        }
        out.sort(Comparator.comparingLong(KernelRef::instanceId));
        return out;
    }

    @Override
    public void close() {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException ignored) {
                // the target may have exited: nothing to release on our side
            }
        }
    }
}
