package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/** The snapshot's domain rows, the domain id of each group and task row, and the tree they render (SPEC §10, §11). */
@ExtendWith(KernelExtension.class)
class KernelSnapshotTest {
    private static final CpuTimes NO_TIME = new CpuTimes(0, 0);

    /** A sleep's wait channel counts down; the tree tests compare everything else exactly. */
    private static String withoutSleepTime(String tree) {
        return tree.replaceAll("sleep\\(\\d+ ms left\\)", "sleep");
    }

    private static void awaitBlocked(Kernel kernel, int n) {
        Await.until(n + " tasks blocked", () -> {
            KernelSnapshot s = kernel.snapshot();
            return s.tasks().size() == n && s.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED);
        }, () -> "\n" + kernel.snapshot().renderTable());
    }

    private static GroupInfo group(KernelSnapshot s, long id) {
        return s.groups().stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no group row " + id + " in " + s.groups()));
    }

    private static TaskInfo task(KernelSnapshot s, long id) {
        return s.tasks().stream().filter(t -> t.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no task row " + id + " in\n" + s.renderTable()));
    }

    private static DomainInfo domain(KernelSnapshot s, long id) {
        return s.domains().stream().filter(d -> d.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("no domain row " + id + " in " + s.domains()));
    }

    // ---- renderTree ----

    /** SPEC §11, D1: a nested domain is drawn under its parent domain, after that domain's groups, siblings by id. */
    @Test
    void renderTree_nestedDomains_drawnUnderTheirParentDomain(Kernel kernel) throws Exception {
        Domain shop = kernel.createDomain("shop");
        Domain cart = shop.createDomain(DomainOptions.named("cart"));
        Domain other = kernel.createDomain("other");
        TaskGroup web = shop.spawnGroup("web", Fixtures::sleepForever);
        TaskGroup basket = cart.spawnGroup("basket", Fixtures::sleepForever);
        TaskGroup home = kernel.spawnGroup("home", Fixtures::sleepForever);
        awaitBlocked(kernel, 3);

        String tree = withoutSleepTime(kernel.snapshot().renderTree());

        long root = kernel.rootDomain().id();
        assertThat(tree).isEqualTo(String.join("\n",
                "domain " + root + " root [RUNNING]",
                "  group " + home.id() + " home [ALIVE]",
                "    task " + home.id() + " home [BLOCKED, sleep]",
                "  domain " + shop.id() + " shop [RUNNING]",
                "    group " + web.id() + " web [ALIVE]",
                "      task " + web.id() + " web [BLOCKED, sleep]",
                "    domain " + cart.id() + " cart [RUNNING]",
                "      group " + basket.id() + " basket [ALIVE]",
                "        task " + basket.id() + " basket [BLOCKED, sleep]",
                "  domain " + other.id() + " other [RUNNING]",
                ""));
        Fixtures.end(web, basket, home);
    }

    /** SPEC §11, D5: a domain's own snapshot draws that domain at the top, with the domains below it nested. */
    @Test
    void renderTree_domainSnapshot_startsAtThatDomain(Kernel kernel) throws Exception {
        Domain shop = kernel.createDomain("shop");
        Domain cart = shop.createDomain(DomainOptions.named("cart"));
        TaskGroup basket = cart.spawnGroup("basket", Fixtures::sleepForever);
        TaskGroup home = kernel.spawnGroup("home", Fixtures::sleepForever);
        awaitBlocked(kernel, 2);

        String tree = withoutSleepTime(shop.snapshot().renderTree());

        assertThat(tree).isEqualTo(String.join("\n",
                "domain " + shop.id() + " shop [RUNNING]",
                "  domain " + cart.id() + " cart [RUNNING]",
                "    group " + basket.id() + " basket [ALIVE]",
                "      task " + basket.id() + " basket [BLOCKED, sleep]",
                ""));
        Fixtures.end(basket, home);
    }

    /** SPEC §11: the tree of given rows, exactly: stop status, killed flag, child groups, nesting three deep. */
    @Test
    void renderTree_givenRows_exactText() {
        List<DomainInfo> domains = List.of(
                new DomainInfo(1, 0, "root", DomainState.RUNNING, "", 3, 3, Long.MAX_VALUE, Long.MAX_VALUE),
                new DomainInfo(2, 1, "a", DomainState.STOPPING, "Exited(3)", 1, 1, 10, 10),
                new DomainInfo(3, 2, "a", DomainState.RUNNING, "", 0, 0, 10, 10),
                new DomainInfo(7, 1, "b", DomainState.RUNNING, "", 0, 0, 10, 10));
        List<GroupInfo> groups = List.of(
                new GroupInfo(1, 0, 1, "root", "root", GroupState.ALIVE, 0, "", NO_TIME),
                new GroupInfo(2, 0, 2, "a", "a", GroupState.ALIVE, 0, "", NO_TIME),
                new GroupInfo(3, 0, 3, "a", "a", GroupState.ALIVE, 0, "", NO_TIME),
                new GroupInfo(4, 2, 2, "a", "job", GroupState.EXITING, 1, "", NO_TIME),
                new GroupInfo(5, 1, 1, "root", "web", GroupState.ALIVE, 1, "", NO_TIME),
                new GroupInfo(6, 5, 1, "root", "worker", GroupState.ZOMBIE, 0, "Exited(0)",
                        NO_TIME),
                new GroupInfo(7, 0, 7, "b", "b", GroupState.ALIVE, 0, "", NO_TIME));
        List<TaskInfo> tasks = List.of(
                new TaskInfo(4, 4, 2, 2, "a", "job", TaskState.BLOCKED, "mutex M", true, 0, 0, 0),
                new TaskInfo(5, 5, 1, 1, "root", "web", TaskState.RUNNING, "", false, 0, 0, 0),
                new TaskInfo(8, 5, 1, 1, "root", "helper", TaskState.BLOCKED, "join(task 5)", false, 0, 0, 0));

        String tree = new KernelSnapshot(tasks, groups, domains).renderTree();

        assertThat(tree).isEqualTo("""
                domain 1 root [RUNNING]
                  group 5 web [ALIVE]
                    task 5 web [RUNNING]
                    task 8 helper [BLOCKED, join(task 5)]
                    group 6 worker [ZOMBIE Exited(0)]
                  domain 2 a [STOPPING Exited(3)]
                    group 4 job [EXITING]
                      task 4 job [BLOCKED, killed, mutex M]
                    domain 3 a [RUNNING]
                  domain 7 b [RUNNING]
                """);
    }

    /** A snapshot made without domain rows draws every domain root at the top level, with its group state. */
    @Test
    void renderTree_withoutDomainRows_domainRootsAtTopLevel() {
        List<GroupInfo> groups = List.of(
                new GroupInfo(1, 0, "root", "root", GroupState.ALIVE, 0, "", NO_TIME),
                new GroupInfo(2, 0, "a", "a", GroupState.ALIVE, 0, "", NO_TIME),
                new GroupInfo(3, 2, "a", "job", GroupState.ALIVE, 1, "", NO_TIME));
        List<TaskInfo> tasks = List.of(
                new TaskInfo(3, 3, 2, "a", "job", TaskState.RUNNING, "", false, 0, 0, 0));

        KernelSnapshot s = new KernelSnapshot(tasks, groups);

        assertThat(s.domains()).isEmpty();
        assertThat(s.renderTree()).isEqualTo("""
                domain 1 root [ALIVE]
                domain 2 a [ALIVE]
                  group 3 job [ALIVE]
                    task 3 job [RUNNING]
                """);
    }

    // ---- renderTable ----

    /**
     * SPEC §11: the process table of given rows, exactly: ps columns, clipped names, a killed task's state
     * marked with "!", CPU time and age in the same duration units, the wait channel in full.
     */
    @Test
    void renderTable_givenRows_exactText() {
        List<TaskInfo> tasks = List.of(
                new TaskInfo(4, 4, 2, 2, "a", "job", TaskState.BLOCKED, "mutex M", true, 1_500_000L, 61_000_000_000L, 2),
                new TaskInfo(5, 5, 1, 1, "root", "web", TaskState.RUNNING, "", false, 850_000_000L, 12_340_000_000L, 0),
                new TaskInfo(123456, 5, 1, 1, "a-very-long-domain", "a-name-longer-than-eighteen", TaskState.EXITING,
                        "", false, 0, 8_220_000_000_000L, 10));

        String table = new KernelSnapshot(tasks, List.of(), List.of()).renderTable();

        assertThat(table.replace(System.lineSeparator(), "\n")).isEqualTo("""
                    TID    TGID    PPID DOMAIN     NAME               STATE          CPU      AGE  RES  WCHAN
                      4       4       2 a          job                BLOCKED!       1ms    1m01s    2  mutex M
                      5       5       1 root       web                RUNNING      850ms    12.3s    0
                 123456       5       1 a-very-lo~ a-name-longer-tha~ EXITING        0ms    2h17m   10
                """);
    }

    // ---- domain ids ----

    /** SPEC §11: two domains may share a name; each group and task row carries its own domain's id. */
    @Test
    void snapshot_twoDomainsWithOneName_rowsCarryTheirOwnDomainId(Kernel kernel) throws Exception {
        Domain first = kernel.createDomain("tenant");
        Domain second = kernel.createDomain("tenant");
        TaskGroup a = first.spawnGroup("app", Fixtures::sleepForever);
        TaskGroup b = second.spawnGroup("app", Fixtures::sleepForever);
        awaitBlocked(kernel, 2);

        KernelSnapshot s = kernel.snapshot();

        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(group(s, a.id()).domainId()).isEqualTo(first.id());
        assertThat(group(s, b.id()).domainId()).isEqualTo(second.id());
        assertThat(task(s, a.id()).domainId()).isEqualTo(first.id());
        assertThat(task(s, b.id()).domainId()).isEqualTo(second.id());
        assertThat(List.of(group(s, a.id()).domain(), group(s, b.id()).domain(), task(s, a.id()).domain(),
                task(s, b.id()).domain())).containsOnly("tenant");
        Fixtures.end(a, b);
    }

    /** SPEC §11, D1: a group of a nested domain has that domain's id, not its parent's; a domain root has its own. */
    @Test
    void snapshot_nestedDomain_rowsCarryTheNestedDomainsId(Kernel kernel) throws Exception {
        Domain shop = kernel.createDomain("shop");
        Domain cart = shop.createDomain(DomainOptions.named("cart"));
        TaskGroup basket = cart.spawnGroup("basket", Fixtures::sleepForever);
        TaskGroup child = Fixtures.spawnChild(basket, "line", Fixtures::sleepForever);
        awaitBlocked(kernel, 2);

        KernelSnapshot s = kernel.snapshot();

        assertThat(group(s, basket.id()).domainId()).isEqualTo(cart.id());
        assertThat(group(s, child.id()).domainId()).isEqualTo(cart.id());
        assertThat(task(s, child.id()).domainId()).isEqualTo(cart.id());
        assertThat(group(s, cart.id()).domainId()).isEqualTo(cart.id());
        assertThat(group(s, shop.id()).domainId()).isEqualTo(shop.id());
        assertThat(group(s, kernel.rootDomain().id()).domainId()).isEqualTo(kernel.rootDomain().id());
        Fixtures.end(basket, child);
    }

    /** SPEC §10, §11: the domain rows give each domain's parent, state, status, counters and limits. */
    @Test
    void snapshot_domainRows_treeStateAndCounters(Kernel kernel) throws Exception {
        Domain shop = kernel.createDomain(DomainOptions.named("shop").maxTasks(5));
        Domain cart = shop.createDomain(DomainOptions.named("cart"));
        Domain gone = kernel.createDomain("gone");
        TaskGroup basket = cart.spawnGroup("basket", Fixtures::sleepForever);
        awaitBlocked(kernel, 1);
        gone.stop(4);
        assertThat(gone.awaitStopped(Await.LONG)).isTrue();

        KernelSnapshot s = kernel.snapshot();

        long root = kernel.rootDomain().id();
        assertThat(s.domains()).extracting(DomainInfo::id).containsExactly(root, shop.id(), cart.id(), gone.id());
        assertThat(domain(s, root).parentId()).isZero();
        assertThat(domain(s, shop.id())).satisfies(d -> {
            assertThat(d.parentId()).isEqualTo(root);
            assertThat(d.name()).isEqualTo("shop");
            assertThat(d.state()).isEqualTo(DomainState.RUNNING);
            assertThat(d.status()).isEmpty();
            assertThat(d.liveTasks()).isEqualTo(1);
            assertThat(d.groups()).isEqualTo(1);
            assertThat(d.maxTasks()).isEqualTo(5);
            assertThat(d.maxGroups()).isEqualTo(DomainOptions.UNLIMITED);
        });
        assertThat(domain(s, cart.id()).parentId()).isEqualTo(shop.id());
        assertThat(domain(s, gone.id()).state()).isEqualTo(DomainState.STOPPED);
        assertThat(domain(s, gone.id()).status()).isEqualTo(ExitStatus.exited(4).toString());
        assertThat(shop.snapshot().domains()).extracting(DomainInfo::id).containsExactly(shop.id(), cart.id());

        gone.free();
        assertThat(kernel.snapshot().domains()).extracting(DomainInfo::id).doesNotContain(gone.id());
        Fixtures.end(basket);
    }

    /** The constructors that predate the domain id still compile and give domain id 0 (no domain has it). */
    @Test
    void rowConstructorsWithoutDomainId_giveDomainIdZero() {
        TaskInfo t11 = new TaskInfo(3, 3, 2, "a", "job", TaskState.RUNNING, "", false, 1, 2, 0);
        TaskInfo t14 = new TaskInfo(3, 3, 2, "a", "job", TaskState.RUNNING, "", false, 1, 2, 0, 1, 5, 0);
        TaskInfo t12 = new TaskInfo(3, 3, 2, 9, "a", "job", TaskState.RUNNING, "", false, 1, 2, 0);
        GroupInfo g8 = new GroupInfo(3, 2, "a", "job", GroupState.ALIVE, 1, "", NO_TIME);

        assertThat(t11.domainId()).isZero();
        assertThat(List.of(t11.cpu(), t11.priority(), t11.runQueuePosition())).containsOnly(-1);
        assertThat(t14.domainId()).isZero();
        assertThat(List.of(t14.cpu(), t14.priority(), t14.runQueuePosition())).containsExactly(1, 5, 0);
        assertThat(t12.domainId()).isEqualTo(9);
        assertThat(List.of(t12.cpu(), t12.priority(), t12.runQueuePosition())).containsOnly(-1);
        assertThat(g8.domainId()).isZero();
        assertThat(g8.domain()).isEqualTo("a");
    }
}
