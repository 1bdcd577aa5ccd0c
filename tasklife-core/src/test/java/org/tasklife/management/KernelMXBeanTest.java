package org.tasklife.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMX;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.DomainInfo;
import org.tasklife.ExitStatus;
import org.tasklife.GroupInfo;
import org.tasklife.GroupState;
import org.tasklife.Kernel;
import org.tasklife.KernelSnapshot;
import org.tasklife.TaskGroup;
import org.tasklife.TaskInfo;
import org.tasklife.TaskState;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/** The kernel's MXBean: registration, the snapshot in open types, kill and stop operations. */
class KernelMXBeanTest {
    private static final AtomicLong NAMES = new AtomicLong();
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static String uniqueName() {
        return "mx" + NAMES.incrementAndGet() + "-" + ProcessHandle.current().pid();
    }

    private static Set<ObjectName> namesOf(String kernelName) throws Exception {
        return SERVER.queryNames(new ObjectName("org.tasklife:type=Kernel,name=" + kernelName + ",*"), null);
    }

    private static KernelMXBean proxy(String kernelName) throws Exception {
        Set<ObjectName> names = namesOf(kernelName);
        assertThat(names).hasSize(1);
        return JMX.newMXBeanProxy(SERVER, names.iterator().next(), KernelMXBean.class);
    }

    /** Two kernels with one name get two object names; close takes each out. */
    @Test
    void boot_registersOneMXBeanPerKernel_closeUnregistersIt() throws Exception {
        String name = uniqueName();
        Kernel a = Kernel.builder().name(name).boot();
        Kernel b = Kernel.builder().name(name).boot();
        try {
            assertThat(namesOf(name)).hasSize(2);
            assertThat(SERVER.queryNames(new ObjectName(KernelMXBean.QUERY), null)).containsAll(namesOf(name));
        } finally {
            a.close();
        }
        assertThat(namesOf(name)).hasSize(1);
        b.close();
        b.close(); // idempotent
        assertThat(namesOf(name)).isEmpty();
    }

    /** Every operation shows its parameters by name (taskId, groupId, domainId, status), never as p0/p1. */
    @Test
    void mbeanInfo_operations_nameTheirParameters() throws Exception {
        String name = uniqueName();
        Kernel k = Kernel.builder().name(name).boot();
        try {
            MBeanInfo info = SERVER.getMBeanInfo(namesOf(name).iterator().next());
            Map<String, List<String>> params = new TreeMap<>();
            for (MBeanOperationInfo op : info.getOperations()) {
                params.put(op.getName(), Arrays.stream(op.getSignature()).map(MBeanParameterInfo::getName).toList());
            }
            assertThat(params).containsExactly(
                    Map.entry("kill", List.of("taskId")),
                    Map.entry("killGroup", List.of("groupId")),
                    Map.entry("stopDomain", List.of("domainId", "status")));
            long operationsInInterface = Arrays.stream(KernelMXBean.class.getMethods())
                    .filter(m -> !m.getName().startsWith("get") && !m.getName().startsWith("is")).count();
            assertThat(params).hasSize((int) operationsInInterface);
        } finally {
            k.close();
        }
    }

    /** jmx(false) registers nothing. */
    @Test
    void boot_withJmxOff_registersNothing() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).jmx(false).boot()) {
            assertThat(namesOf(name)).isEmpty();
            assertThat(k.liveTaskCount()).isZero();
        }
    }

    /** The snapshot maps to open types and gives each group and task its domain's id. */
    @Test
    void snapshot_listsDomainsGroupsAndTasks_withTheirDomainIds() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).boot()) {
            Domain shop = k.createDomain("shop");
            Domain cart = shop.createDomain(org.tasklife.DomainOptions.named("cart"));
            TaskGroup web = shop.spawnGroup("web", Fixtures::sleepForever);
            TaskGroup basket = cart.spawnGroup("basket", Fixtures::sleepForever);
            Await.until("both blocked", () -> k.snapshot().tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED)
                    && k.snapshot().tasks().size() == 2);

            ObjectName on = namesOf(name).iterator().next();
            assertThat(SERVER.getAttribute(on, "Snapshot")).isInstanceOf(CompositeData.class);
            KernelView v = proxy(name).getSnapshot();

            assertThat(v.kernel()).isEqualTo(name);
            assertThat(v.liveTasks()).isEqualTo(2);
            KernelSnapshot s = v.snapshot();
            assertThat(s.domains()).extracting(DomainInfo::name).containsExactly("root", "shop", "cart");
            assertThat(s.domains()).filteredOn(d -> d.name().equals("cart")).singleElement()
                    .satisfies(d -> assertThat(d.parentId()).isEqualTo(shop.id()));
            assertThat(s.groups()).filteredOn(g -> g.id() == web.id()).singleElement()
                    .satisfies(g -> assertThat(g.domainId()).isEqualTo(shop.id()));
            assertThat(s.tasks()).filteredOn(t -> t.id() == basket.id()).singleElement().satisfies(t -> {
                assertThat(t.domainId()).isEqualTo(cart.id());
                assertThat(t.domain()).isEqualTo("cart");
                assertThat(t.state()).isEqualTo(TaskState.BLOCKED);
                assertThat(t.waitChannel()).isNotEmpty();
            });
            assertThat(proxy(name).getProcessTable()).contains("web", "basket");
            shop.stop(0);
            assertThat(Fixtures.get(shop.onStopped())).isEqualTo(ExitStatus.exited(0));
        }
    }

    /**
     * One row model: the MXBean's view carries the library's own snapshot rows (the same ids, names, states,
     * wait channels and statuses a {@link Kernel#snapshot()} gives), and its process table is the library's.
     */
    @Test
    void snapshot_overJmx_isTheLibrarysSnapshot_andItsTable() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).boot()) {
            Domain shop = k.createDomain("shop");
            TaskGroup web = shop.spawnGroup("web", Fixtures::sleepForever);
            TaskGroup done = k.spawnGroup("done", () -> 3);
            assertThat(Fixtures.ended(done)).isEqualTo(ExitStatus.exited(3));
            Await.until("web blocked", () -> k.snapshot().tasks().stream().anyMatch(t -> t.id() == web.id()
                    && t.state() == TaskState.BLOCKED));

            KernelSnapshot overJmx = proxy(name).getSnapshot().snapshot();
            KernelSnapshot local = k.snapshot();

            assertThat(overJmx.domains()).isEqualTo(local.domains());
            assertThat(overJmx.tasks()).extracting(TaskInfo::id, TaskInfo::name, TaskInfo::state, TaskInfo::domainId)
                    .containsExactlyElementsOf(local.tasks().stream()
                            .map(t -> org.assertj.core.groups.Tuple.tuple(t.id(), t.name(), t.state(), t.domainId()))
                            .toList());
            assertThat(overJmx.groups()).extracting(GroupInfo::id, GroupInfo::state, GroupInfo::status)
                    .contains(org.assertj.core.groups.Tuple.tuple(done.id(), GroupState.ZOMBIE, "Exited(3)"));
            String header = local.renderTable().lines().findFirst().orElseThrow();
            assertThat(proxy(name).getProcessTable().lines().findFirst()).contains(header);
            done.reap();
            shop.stop(0);
            assertThat(Fixtures.get(shop.onStopped())).isEqualTo(ExitStatus.exited(0));
        }
    }

    /** kill(id) over JMX kills a blocked task; an unknown id is an IllegalArgumentException naming it. */
    @Test
    void kill_overJmx_killsTask_unknownIdIsRefused() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).boot()) {
            TaskGroup g = k.spawnGroup("victim", Fixtures::sleepForever);
            KernelMXBean mx = proxy(name);

            org.tasklife.Task<?> main = Fixtures.mainOf(k, g);
            assertThat(mx.kill(g.id())).isTrue();
            assertThat(Fixtures.ended(main)).isEqualTo(ExitStatus.KILLED);
            assertThat(mx.kill(g.id())).isFalse(); // already killed: not an error
            g.reap();
            assertThatThrownBy(() -> mx.kill(999_999)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no task 999999");
            KernelExtension.audit(k);
        }
    }

    /** kill(id) over JMX of a task whose record was disposed is an IllegalArgumentException, not a tasklife class. */
    @Test
    void kill_overJmx_disposedTask_illegalArgument() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).boot()) {
            TaskGroup g = k.spawnGroup("short", () -> 0);
            assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.exited(0));
            g.reap();
            Await.until("record disposed", () -> k.findTask(g.id()).isEmpty());

            assertThatThrownBy(() -> proxy(name).kill(g.id())).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("kernel '" + name + "' has no task " + g.id()).hasNoCause();
            KernelExtension.audit(k);
        }
    }

    /** stopDomain over JMX stops a domain with Exited(status); the root domain is refused. */
    @Test
    void stopDomain_overJmx_stopsDomain_rootIsRefused() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).boot()) {
            Domain d = k.createDomain("tenant");
            d.spawnGroup("a", Fixtures::sleepForever);
            d.spawnGroup("b", Fixtures::sleepForever);
            KernelMXBean mx = proxy(name);

            assertThat(mx.stopDomain(d.id(), 3)).isTrue();
            assertThat(Fixtures.get(d.onStopped())).isEqualTo(ExitStatus.exited(3));
            assertThat(mx.stopDomain(d.id(), 4)).isFalse();
            assertThatThrownBy(() -> mx.stopDomain(k.rootDomain().id(), 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("root domain");
            assertThatThrownBy(() -> mx.stopDomain(424_242, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no domain 424242");
        }
    }

    /** killGroup over JMX kills every task of the group (not only its main task); unknown ids and roots are refused. */
    @Test
    void killGroup_overJmx_killsEveryTask_unknownOrRootRefused() throws Exception {
        String name = uniqueName();
        try (Kernel k = Kernel.builder().name(name).boot()) {
            TaskGroup g = k.spawnGroup("workers", Fixtures::sleepForever);
            org.tasklife.Task<?> worker = g.spawnTask("worker", Fixtures::sleepForever);
            TaskGroup other = k.spawnGroup("other", Fixtures::sleepForever);
            KernelMXBean mx = proxy(name);

            assertThat(mx.killGroup(g.id())).isTrue();
            assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.KILLED);
            assertThat(Fixtures.ended(worker)).isEqualTo(ExitStatus.KILLED);
            assertThat(mx.killGroup(g.id())).isFalse(); // already ended, not yet reaped: not an error
            assertThat(other.exitStatus()).isEmpty();
            assertThatThrownBy(() -> mx.killGroup(999_998)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("kernel '" + name + "' has no group 999998 (a domain's root group is stopped with its "
                            + "domain)").hasNoCause();
            assertThatThrownBy(() -> mx.killGroup(k.rootDomain().id())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no group " + k.rootDomain().id());
            assertThatThrownBy(() -> mx.killGroup(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("id must be positive");
            g.reap();
            Fixtures.killAndReap(other);
            KernelExtension.audit(k);
        }
    }
}
