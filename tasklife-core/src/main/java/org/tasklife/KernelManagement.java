package org.tasklife;

import java.lang.management.ManagementFactory;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.management.KernelMXBean;
import org.tasklife.management.KernelView;

/**
 * The MXBean of one kernel, for host code only (a domain's code is refused): the JMX adapter of the
 * {@link Kernel} API, beside it.
 *
 * <p>{@link #register} puts it in the platform MBean server under
 * {@code org.tasklife:type=Kernel,name=<name>,id=<n>}; {@link #unregister()} takes it out (idempotent).
 */
final class KernelManagement implements KernelMXBean {
    /*
     * Implementation notes
     *
     * Overview: a thin adapter from the kernel to open types: the view is the kernel's own snapshot, whose
     * rows are records of primitives, strings and enums that the MXBean framework maps to CompositeData. It
     * calls the same kernel operations the API handles call (KernelCore's parts, where every permission,
     * visibility and state check is made), never a handle: the Kernel depends on it, not the other way
     * round. Like the API, it changes nothing the parts do not.
     *
     * Known limits: registration failures (a JVM without a usable platform MBean server, a security policy)
     * are swallowed: a kernel without its MXBean still works, and boot must not fail for monitoring's sake.
     * The view's rows come from one Kernel.snapshot(), whose rows are read without stopping the world (domain
     * rows first, then groups and tasks): a domain freed meanwhile may be listed without its groups, and a
     * group of a domain created meanwhile may name a domain that is not listed; clients must tolerate that.
     * The counters come from separate calls.
     */

    private static final AtomicLong INSTANCES = new AtomicLong();

    private final KernelCore core;
    private final boolean readOnly;
    private final String name;
    private final long instanceId = INSTANCES.incrementAndGet();
    private final AtomicBoolean registered = new AtomicBoolean();
    private volatile ObjectName objectName; // set once by register, before the registered flag

    private KernelManagement(KernelCore core, boolean readOnly) {
        this.core = core;
        this.readOnly = readOnly;
        this.name = core.name();
    }

    /**
     * Registers the MXBean of the kernel {@code core} in the platform MBean server.
     *
     * @return the registration; its {@link #unregister()} is a no-op if registration failed
     */
    static KernelManagement register(KernelCore core, boolean readOnly) {
        KernelManagement m = new KernelManagement(core, readOnly);
        String name = core.name();
        try {
            ObjectName on = new ObjectName("org.tasklife", objectNameProperties(name, m.instanceId));
            m.objectName = on;
            ManagementFactory.getPlatformMBeanServer().registerMBean(new NamedParameters(m), on);
            m.registered.set(true);
        } catch (JMException | RuntimeException | LinkageError e) {
            // see Known limits: the kernel runs without its MXBean
        }
        return m;
    }

    /**
     * The MXBean as registered: the same operations, with their parameters named as in {@link KernelMXBean}
     * (a JMX console or the CLI shows {@code taskId}, not {@code p0}: the interface's parameter names are not kept
     * in its class file, so they are listed here, and {@code KernelMXBeanTest} checks the list against it).
     */
    private static final class NamedParameters extends StandardMBean {
        static final Map<String, List<String>> NAMES = Map.of(
                "kill", List.of("taskId"),
                "killGroup", List.of("groupId"),
                "stopDomain", List.of("domainId", "status"));

        NamedParameters(KernelManagement m) {
            super(m, KernelMXBean.class, true);
        }

        @Override
        protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
            List<String> names = NAMES.get(op.getName());
            return names != null && sequence < names.size() ? names.get(sequence) : super.getParameterName(op, param, sequence);
        }
    }

    private static Hashtable<String, String> objectNameProperties(String name, long id) {
        Hashtable<String, String> p = new Hashtable<>();
        p.put("type", "Kernel");
        p.put("name", needsQuoting(name) ? ObjectName.quote(name) : name);
        p.put("id", Long.toString(id));
        return p;
    }

    private static boolean needsQuoting(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n' || c == '\\') {
                return true;
            }
        }
        return s.isEmpty();
    }

    /** The object name, or {@code null} if registration failed. */
    ObjectName objectName() {
        return registered.get() ? objectName : null;
    }

    /** Takes the MXBean out of the platform MBean server; idempotent. */
    void unregister() {
        if (registered.compareAndSet(true, false)) {
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                server.unregisterMBean(objectName);
            } catch (JMException | RuntimeException e) {
                // someone else unregistered it: nothing is left to do
            }
        }
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public long getInstanceId() {
        return instanceId;
    }

    @Override
    public long getLiveTaskCount() {
        hostOnly("read");
        return core.introspection().liveTaskCount();
    }

    @Override
    public long getOpenResourceCount() {
        hostOnly("read");
        return core.introspection().openResourceCount();
    }

    @Override
    public int getPendingTimerCount() {
        hostOnly("read");
        return core.introspection().pendingTimerCount();
    }

    @Override
    public long getQueuedWaitersInJvm() {
        hostOnly("read");
        return WaitQueue.linkedNodesInJvm();
    }

    @Override
    public int getStuckTaskCount() {
        hostOnly("read");
        return core.introspection().stuckReports().size();
    }

    @Override
    public String[] getStuckTaskReports() {
        hostOnly("read");
        return core.introspection().stuckReports().stream().map(StuckTaskReport::render).toArray(String[]::new);
    }

    @Override
    public String getProcessTable() {
        hostOnly("read");
        return core.introspection().forCaller().renderTable();
    }

    @Override
    public KernelView getSnapshot() {
        hostOnly("read");
        return new KernelView(name, instanceId, System.currentTimeMillis(), core.introspection().liveTaskCount(),
                core.introspection().openResourceCount(), core.introspection().pendingTimerCount(),
                WaitQueue.linkedNodesInJvm(), core.introspection().stuckReports().size(),
                core.introspection().forCaller());
    }

    @Override
    public boolean kill(long taskId) {
        operation();
        if (core.introspection().findTask(positive(taskId)) == null) {
            // a remote client gets a standard exception, not a tasklife class it may lack; the task may still
            // end between this check and the kill, and then kill says false (contract K1)
            throw new IllegalArgumentException("kernel '" + name + "' has no task " + taskId);
        }
        return core.lifecycle().kill(taskId);
    }

    @Override
    public boolean killGroup(long groupId) {
        operation();
        GroupControlBlock g = core.introspection().findGroup(positive(groupId));
        if (g == null) {
            // as kill: a standard exception; the group may still end before the kill, which then says false
            throw new IllegalArgumentException("kernel '" + name + "' has no group " + groupId
                    + " (a domain's root group is stopped with its domain)");
        }
        return core.lifecycle().kill(g);
    }

    @Override
    public boolean stopDomain(long domainId, int status) {
        operation();
        DomainControlBlock d = core.introspection().findDomain(positive(domainId));
        if (d == null) {
            throw new IllegalArgumentException("kernel '" + name + "' has no domain " + domainId);
        }
        if (d.parent() == null) {
            throw new IllegalArgumentException("domain " + domainId + " is the root domain of kernel '" + name
                    + "': it stops only when the kernel closes");
        }
        try {
            return core.domains().stopFromCaller(d, ExitStatus.exited(status));
        } catch (RuntimeException e) {
            // a tasklife exception would need tasklife classes on the client to deserialize
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** The id check of Kernel.findTask and findDomain (contract §12: an id of 0 or less never exists). */
    private static long positive(long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("id must be positive (tasklife ids start at 1), was " + id);
        }
        return id;
    }

    /**
     * The MXBean is the host's window on the kernel: a domain's code (a thread a tenant started calling the
     * platform MBean server in-process) reads and acts through the API, confined to its domain, not here.
     */
    private void hostOnly(String what) {
        core.authority().checkHost(what + " kernel '" + name + "' through its management interface");
    }

    private void operation() {
        if (readOnly) {
            throw new UnsupportedOperationException("the management interface of kernel '" + name
                    + "' is read-only (Kernel.Builder.jmxReadOnly): its operations are refused");
        }
        hostOnly("act on");
    }

    @Override
    public String toString() {
        return "KernelManagement[" + objectName + "]";
    }
}
