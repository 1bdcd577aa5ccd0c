package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.*;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.management.KernelMXBean;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * SPEC D5, authority follows the work: a tenant's code keeps its domain's authority on the threads it
 * starts, in the callbacks it registers and through the MXBean, and never holds host authority. Each test
 * acts on tenant B's task from tenant A's work (refused, B untouched) and does the same inside A (allowed).
 */
@ExtendWith(KernelExtension.class)
class AuthorityTest {

    private static final long LONG_MS = Await.LONG.toMillis();

    /** Two tenants, a victim task in B and a home group in A. */
    private record Tenants(Domain a, Domain b, TaskGroup home, TaskGroup victimGroup, Task<?> victim,
            TaskGroup ownGroup, Task<?> own) {
        void assertVictimUntouched() {
            assertThat(victim.isKilled()).isFalse();
            assertThat(victim.state()).isEqualTo(TaskState.BLOCKED);
            assertThat(victimGroup.state()).isEqualTo(GroupState.ALIVE);
        }

        void end() throws Exception {
            a.stop(0);
            b.stop(0);
            assertThat(a.awaitStopped(Await.LONG)).isTrue();
            assertThat(b.awaitStopped(Await.LONG)).isTrue();
        }
    }

    private static Tenants tenants(Kernel kernel) {
        Domain a = kernel.createDomain("a");
        Domain b = kernel.createDomain("b");
        TaskGroup victimGroup = b.spawnGroup("victim", Fixtures::sleepForever);
        TaskGroup home = a.spawnGroup("home", Fixtures::sleepForever);
        TaskGroup ownGroup = a.spawnGroup("own", Fixtures::sleepForever);
        Task<?> victim = mainOf(kernel, victimGroup);
        Task<?> own = mainOf(kernel, ownGroup);
        Await.state(victim, TaskState.BLOCKED);
        Await.state(own, TaskState.BLOCKED);
        return new Tenants(a, b, home, victimGroup, victim, ownGroup, own);
    }

    /** Runs {@code body} in a new task of A and returns what it returned or threw. */
    private static Object inA(Tenants t, TaskBody<?> body) throws Exception {
        return attempt(t.home(), "tenant-code", body).get();
    }

    /** What {@code action} threw, or "allowed". */
    private static Object outcome(Runnable action) {
        try {
            action.run();
            return "allowed";
        } catch (Throwable e) {
            return e;
        }
    }

    private static void assertRefused(Object outcome, String... fragments) {
        assertThat(outcome).isInstanceOf(DomainAccessException.class);
        assertThat(((Throwable) outcome).getMessage()).contains(fragments);
    }

    /** Runs {@code action} on a new thread of the given kind started by the caller, and returns its outcome. */
    private static Object onNewThread(Thread.Builder builder, Runnable action) throws Exception {
        CompletableFuture<Object> out = new CompletableFuture<>();
        Thread th = builder.start(() -> out.complete(outcome(action)));
        th.join(LONG_MS);
        return out.get(LONG_MS, TimeUnit.MILLISECONDS);
    }

    // ---- threads a tenant starts ----

    /** SPEC D5: a platform thread started by a task of A is A's work: refused on B, allowed in A. */
    @Test
    void platformThreadOfTenant_killsInOtherDomain_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        Object[] r = (Object[]) inA(t, () -> new Object[] {
                onNewThread(Thread.ofPlatform(), () -> t.victim().kill()),
                onNewThread(Thread.ofPlatform(), () -> kernel.kill(t.victim().id())),
                onNewThread(Thread.ofPlatform(), () -> t.own().kill())});
        assertRefused(r[0], "code of domain 'a'", "kill task " + t.victim().id());
        assertRefused(r[1], "domain 'a'");
        assertThat(r[2]).isEqualTo("allowed");
        t.assertVictimUntouched();
        assertThat(get(t.own().onExit())).isEqualTo(ExitStatus.KILLED);
        t.end();
    }

    /** SPEC D5: a virtual thread (builder or executor) started by a task of A is A's work too. */
    @Test
    void virtualThreadOfTenant_killsInOtherDomain_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        Object[] r = (Object[]) inA(t, () -> {
            Object viaBuilder = onNewThread(Thread.ofVirtual(), () -> t.victim().kill());
            Object viaExecutor;
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                viaExecutor = ex.submit(() -> outcome(() -> t.victimGroup().kill())).get();
            }
            Object nested = onNewThread(Thread.ofVirtual(), () -> {
                try {
                    Object inner = onNewThread(Thread.ofPlatform(), () -> t.victim().kill()); // a thread's thread
                    if (inner instanceof RuntimeException e) {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Object own = onNewThread(Thread.ofVirtual(), () -> t.own().kill());
            return new Object[] {viaBuilder, viaExecutor, nested, own};
        });
        assertRefused(r[0], "domain 'a'");
        assertRefused(r[1], "kill group " + t.victimGroup().id());
        assertRefused(r[2], "domain 'a'");
        assertThat(r[3]).isEqualTo("allowed");
        t.assertVictimUntouched();
        t.end();
    }

    /** SPEC D5: the common pool acts for nobody: a tenant's lambda there is refused (and the host's too). */
    @Test
    void commonPoolLambda_killsInOtherDomain_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        Object fromTenant = inA(t, () -> outcome(() -> {
            try {
                CompletableFuture.supplyAsync(() -> kernel.kill(t.victim().id())).join();
            } catch (CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        }));
        assertRefused(fromTenant, "common ForkJoinPool", "commonPoolIsHost");
        Object fromHost = outcome(() -> {
            try {
                CompletableFuture.supplyAsync(() -> t.victim().kill()).join();
            } catch (CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        });
        assertRefused(fromHost, "common ForkJoinPool");
        t.assertVictimUntouched();
        t.end();
    }

    /** A host that trusts the common pool (Builder.commonPoolIsHost) gets host authority there. */
    @Test
    void commonPoolIsHost_hostLambda_allowed() throws Exception {
        try (Kernel k = Kernel.builder().name("trusting").jmx(false).commonPoolIsHost(true).boot()) {
            TaskGroup g = k.spawnGroup("g", Fixtures::sleepForever);
            Await.until("g to block", () -> g.tasks().stream().allMatch(x -> x.state() == TaskState.BLOCKED));
            assertThat(CompletableFuture.supplyAsync(g::kill).get(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
        }
    }

    // ---- callbacks a tenant registers ----

    /** SPEC D5: an onExit dependent registered by a task of A runs as A, even when its task has ended. */
    @Test
    void onExitCallbackOfTenant_killsInOtherDomain_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        CompletableFuture<Object> onB = new CompletableFuture<>();
        CompletableFuture<Object> onA = new CompletableFuture<>();
        CompletableFuture<Object> asyncOnB = new CompletableFuture<>();
        Task<Integer> registrant = t.home().spawnTask("registrant", () -> {
            Tasks.current().onExit().thenRun(() -> onB.complete(outcome(() -> t.victim().kill())));
            Tasks.current().onExit().thenRunAsync(() -> asyncOnB.complete(outcome(() -> t.victim().kill())));
            return 0;
        });
        inA(t, () -> t.own().onExit().thenRun(() -> onA.complete("registered")));
        assertThat(get(registrant.onExit())).isEqualTo(ExitStatus.exited(0));
        assertRefused(onB.get(LONG_MS, TimeUnit.MILLISECONDS), "domain 'a'");
        assertRefused(asyncOnB.get(LONG_MS, TimeUnit.MILLISECONDS), "domain 'a'");
        t.assertVictimUntouched();
        assertThat(t.own().kill()).isTrue(); // host kills A's task: A's dependent runs, as A, on the host's thread
        assertThat(onA.get(LONG_MS, TimeUnit.MILLISECONDS)).isEqualTo("registered");
        t.end();
    }

    /** SPEC D5: a host's onExit dependent keeps host authority when it runs on a tenant's (ending) thread. */
    @Test
    void onExitCallbackOfHost_runsOnTenantThread_keepsHostAuthority(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        CompletableFuture<Object> out = new CompletableFuture<>();
        CompletableFuture<Object> asyncOut = new CompletableFuture<>();
        Task<Integer> ender = t.home().spawnTask("ender", () -> 0);
        ender.onExit().thenRun(() -> out.complete(outcome(() -> t.victim().kill())));
        t.ownGroup().onExit().thenRunAsync(() -> asyncOut.complete(outcome(() -> t.victimGroup().kill())));
        assertThat(out.get(LONG_MS, TimeUnit.MILLISECONDS)).isEqualTo("allowed");
        assertThat(get(t.victim().onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(t.own().kill()).isTrue();
        assertThat(asyncOut.get(LONG_MS, TimeUnit.MILLISECONDS)).isEqualTo("allowed"); // on the common pool
        t.end();
    }

    /** SPEC D5: a closer a task of A gives its group runs as A when the group ends on a thread no longer a task. */
    @Test
    void groupOwnedCloserOfTenant_killsInOtherDomain_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        CompletableFuture<Object> out = new CompletableFuture<>();
        TaskGroup g = t.a().spawnGroup("closer-owner", () -> {
            Tasks.ownByGroup(() -> out.complete(outcome(() -> t.victim().kill())));
            return 0;
        });
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertRefused(out.get(LONG_MS, TimeUnit.MILLISECONDS), "domain 'a'");
        t.assertVictimUntouched();
        t.end();
    }

    /** SPEC D5, K8: a stuck task's resources force-closed by the reaper close as its domain's code, not as host. */
    @Test
    void forceClosedResourceOfTenant_killsInOtherDomain_refused() throws Exception {
        try (Kernel kernel = Kernel.builder().name("grace").jmx(false).killGracePeriod(Duration.ofMillis(50)).boot()) {
            Tenants t = tenants(kernel);
            CompletableFuture<Object> out = new CompletableFuture<>();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch owning = new CountDownLatch(1);
            Task<?> stuck = t.home().spawnTask("stuck", () -> {
                Tasks.own(() -> out.complete(outcome(() -> t.victim().kill())));
                owning.countDown();
                while (release.getCount() > 0) { // ignores the kill's interrupt: stuck outside tasklife (K8)
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // swallowed on purpose
                    }
                }
                return 0;
            });
            assertThat(owning.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(stuck.kill()).isTrue();
            Object closed = out.get(LONG_MS, TimeUnit.MILLISECONDS); // the reaper's force-close, after the grace
            release.countDown();
            assertRefused(closed, "domain 'a'");
            t.assertVictimUntouched();
            assertThat(get(stuck.onExit())).isEqualTo(ExitStatus.KILLED);
            t.end();
        }
    }

    /** SPEC D5: a domain's event listener runs with its creator's authority, whichever thread tells it. */
    @Test
    void domainListenerOfHost_runsOnTenantThread_keepsHostAuthority(Kernel kernel) throws Exception {
        CompletableFuture<Object> freed = new CompletableFuture<>();
        Domain[] ref = new Domain[1];
        ref[0] = kernel.createDomain(DomainOptions.named("d").stopWhenEmpty(true).onEvent(e -> {
            if (e instanceof DomainEvent.Stopped) {
                freed.complete(outcome(() -> ref[0].free())); // the parent's act, on the last task's thread
            }
        }));
        TaskGroup g = ref[0].spawnGroup("only", () -> 0);
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(freed.get(LONG_MS, TimeUnit.MILLISECONDS)).isEqualTo("allowed");
        assertThat(ref[0].state()).isEqualTo(DomainState.FREED);
    }

    // ---- direct leaks on the task's own thread ----

    /** SPEC D5: detach and own on another domain's handles are refused like kill, and change nothing. */
    @Test
    void detachAndOwn_onOtherDomainsHandles_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        Object[] r = (Object[]) inA(t, () -> new Object[] {
                outcome(() -> t.victim().detach()),
                outcome(() -> t.victim().own(() -> {})),
                outcome(() -> t.victimGroup().own(() -> {})),
                outcome(() -> t.victimGroup().reap()),
                outcome(() -> t.own().own(() -> {}).release())});
        assertRefused(r[0], "detach task " + t.victim().id());
        assertRefused(r[1], "give task " + t.victim().id());
        assertRefused(r[2], "give group " + t.victimGroup().id());
        assertRefused(r[3], "reap group " + t.victimGroup().id());
        assertThat(r[4]).isEqualTo("allowed");
        assertThat(kernel.snapshot().tasks()).filteredOn(x -> x.id() == t.victim().id())
                .singleElement().satisfies(x -> assertThat(x.ownedResources()).isZero());
        t.assertVictimUntouched();
        t.end();
        assertThat(t.victimGroup().reap()).isEqualTo(ExitStatus.KILLED); // still joinable-by-parent: not detached
    }

    /** SPEC D5: kernel-wide counts and stuck reports are scoped to the tenant or refused; close is refused. */
    @Test
    void kernelWideQueriesAndClose_fromTenant_scopedOrRefused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        Object[] r = (Object[]) inA(t, () -> new Object[] {
                kernel.liveTaskCount(),
                kernel.stuckTasks(),
                outcome(kernel::openResourceCount),
                outcome(kernel::pendingTimerCount),
                outcome(() -> kernel.close(Duration.ofSeconds(1))),
                outcome(kernel::close),
                onNewThread(Thread.ofPlatform(), () -> kernel.close())});
        assertThat(r[0]).isEqualTo(3L); // home, own and the asking task: A's, not the kernel's 4
        assertThat((List<?>) r[1]).isEmpty();
        assertRefused(r[2], "kernel-wide");
        assertRefused(r[3], "kernel-wide");
        assertRefused(r[4], "close kernel 'test'");
        assertRefused(r[5], "close kernel 'test'");
        assertRefused(r[6], "close kernel 'test'", "code of domain 'a'");
        t.assertVictimUntouched();
        Await.until("the host to count every live task (victim, home, own)", () -> kernel.liveTaskCount() == 3L);
        t.end();
    }

    /** SPEC D5: a plain thread of A spawning through the Kernel spawns into A, under A's limits. */
    @Test
    void kernelSpawnGroup_fromTenantThread_landsInTenantDomain(Kernel kernel) throws Exception {
        Domain a = kernel.createDomain(DomainOptions.named("a").maxGroups(2));
        TaskGroup home = a.spawnGroup("home", Fixtures::sleepForever);
        Object[] r = (Object[]) attempt(home, "spawner", () -> new Object[] {
                onNewThread(Thread.ofPlatform(), () -> kernel.spawnGroup("from-thread", () -> 0)),
                onNewThread(Thread.ofPlatform(), () -> kernel.spawnGroup("over", () -> 0))}).get();
        assertThat(r[0]).isEqualTo("allowed");
        assertThat(kernel.snapshot().groups()).filteredOn(g -> g.name().equals("from-thread"))
                .singleElement().satisfies(g -> assertThat(g.domain()).isEqualTo("a"));
        assertThat(r[1]).isInstanceOf(DomainLimitExceededException.class); // A's limit of 2 groups counts it
        a.stop(0);
        assertThat(a.awaitStopped(Await.LONG)).isTrue();
        a.free();
    }

    /** SPEC D5: a tenant cannot boot a kernel (its tasks would escape the domain's limits and stop). */
    @Test
    void boot_fromTenant_refused(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        Object[] r = (Object[]) inA(t, () -> new Object[] {
                outcome(() -> Kernel.builder().jmx(false).boot().close()),
                onNewThread(Thread.ofVirtual(), () -> Kernel.builder().jmx(false).boot().close())});
        assertRefused(r[0], "cannot boot a kernel", "domain 'a'");
        assertRefused(r[1], "cannot boot a kernel");
        TaskGroup hostWork = kernel.spawnGroup("host-work", () -> {
            try (Kernel nested = Kernel.builder().name("nested").jmx(false).boot()) {
                return nested.spawnGroup("g", () -> 5).reap() instanceof ExitStatus.Exited e ? e.code() : -1;
            }
        });
        assertThat(hostWork.reap()).isEqualTo(ExitStatus.exited(5)); // root-domain work is the host's
        t.end();
    }

    // ---- several kernels ----

    /** SPEC D5: a tenant of one kernel acts on nothing in another kernel; the root domain's work is the host's. */
    @Test
    void otherKernel_tenantRefusedHostWorkAllowed(Kernel kernel) throws Exception {
        try (Kernel other = Kernel.builder().name("other").jmx(false).boot()) {
            TaskGroup there = other.spawnGroup("there", Fixtures::sleepForever);
            Await.until("there to block", () -> there.tasks().stream().allMatch(x -> x.state() == TaskState.BLOCKED));
            Tenants t = tenants(kernel);
            Object[] r = (Object[]) inA(t, () -> new Object[] {
                    outcome(() -> there.kill()),
                    outcome(() -> other.findGroup(there.id())),
                    outcome(() -> other.createDomain("x")),
                    outcome(() -> other.spawnGroup("x", () -> 0)),
                    outcome(other::snapshot),
                    outcome(() -> other.close(Duration.ofSeconds(1)))});
            for (Object o : r) {
                assertRefused(o, "kernel 'test'");
            }
            assertRefused(r[0], "acts only in its own kernel");
            assertThat(there.state()).isEqualTo(GroupState.ALIVE);
            TaskGroup hostWork = kernel.spawnGroup("host-work", () -> there.kill() ? 0 : 1);
            assertThat(hostWork.reap()).isEqualTo(ExitStatus.exited(0));
            assertThat(there.reap()).isEqualTo(ExitStatus.KILLED);
            t.end();
        }
    }

    // ---- nested domains ----

    /** SPEC D5: a tenant's thread acts on the domains below its own, never on the one above. */
    @Test
    void tenantThread_actsBelowNeverAbove(Kernel kernel) throws Exception {
        Domain a = kernel.createDomain("a");
        Domain sub = a.createDomain(DomainOptions.named("sub"));
        TaskGroup above = a.spawnGroup("above", Fixtures::sleepForever);
        TaskGroup below = sub.spawnGroup("below", Fixtures::sleepForever);
        TaskGroup home = sub.spawnGroup("home", Fixtures::sleepForever);
        Await.until("all to block", () -> kernel.snapshot().tasks().stream().allMatch(x -> x.state() == TaskState.BLOCKED));
        Object[] fromSub = (Object[]) attempt(home, "sub-code", () -> new Object[] {
                onNewThread(Thread.ofPlatform(), () -> above.kill()),
                onNewThread(Thread.ofPlatform(), () -> a.stop(0))}).get();
        assertRefused(fromSub[0], "code of domain 'sub'");
        assertRefused(fromSub[1], "stop domain 'a'");
        TaskGroup parentHome = a.spawnGroup("parent-home", Fixtures::sleepForever);
        Object fromA = attempt(parentHome, "a-code", () -> onNewThread(Thread.ofVirtual(), () -> below.kill())).get();
        assertThat(fromA).isEqualTo("allowed");
        assertThat(get(below.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(above.state()).isEqualTo(GroupState.ALIVE);
        a.stop(0);
        assertThat(a.awaitStopped(Await.LONG)).isTrue();
        a.free();
    }

    // ---- the MXBean ----

    /** SPEC D5: the MXBean is the host's: a tenant's thread is refused, the host acts, and read-only refuses acts. */
    @Test
    void mxBean_fromTenantThreadRefused_readOnlyRefusesOperations() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try (Kernel kernel = Kernel.builder().name("mx-authority").boot();
                Kernel readOnly = Kernel.builder().name("mx-read-only").jmxReadOnly(true).boot()) {
            KernelMXBean bean = proxy(server, "mx-authority");
            Tenants t = tenants(kernel);
            Object[] r = (Object[]) inA(t, () -> new Object[] {
                    onNewThread(Thread.ofPlatform(), () -> bean.kill(t.victim().id())),
                    onNewThread(Thread.ofPlatform(), bean::getProcessTable),
                    outcome(() -> bean.stopDomain(t.b().id(), 1))});
            assertRefused(r[0], "management interface");
            assertRefused(r[1], "management interface");
            assertRefused(r[2], "management interface");
            t.assertVictimUntouched();
            assertThat(bean.getProcessTable()).contains("victim"); // the host reads everything
            assertThat(bean.kill(t.own().id())).isTrue();

            TaskGroup g = readOnly.spawnGroup("g", Fixtures::sleepForever);
            Await.until("g to block", () -> g.tasks().stream().allMatch(x -> x.state() == TaskState.BLOCKED));
            KernelMXBean ro = proxy(server, "mx-read-only");
            assertThat(ro.getProcessTable()).contains(Long.toString(g.id()));
            assertThatThrownBy(() -> ro.kill(g.id())).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("read-only");
            assertThat(g.state()).isEqualTo(GroupState.ALIVE);
            t.end();
        }
    }

    private static KernelMXBean proxy(MBeanServer server, String name) throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName("org.tasklife:type=Kernel,name=" + name + ",*"), null);
        assertThat(names).hasSize(1);
        return JMX.newMXBeanProxy(server, names.iterator().next(), KernelMXBean.class);
    }

    // ---- the host ----

    /** SPEC D5: host code keeps acting everywhere, from its own threads and executors. */
    @Test
    void hostThreads_actEverywhere(Kernel kernel) throws Exception {
        Tenants t = tenants(kernel);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            assertThat(pool.submit(() -> outcome(() -> t.victim().kill())).get()).isEqualTo("allowed");
        } finally {
            pool.shutdown();
        }
        assertThat(onNewThread(Thread.ofVirtual(), () -> t.own().kill())).isEqualTo("allowed");
        assertThat(get(t.victim().onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(kernel.openResourceCount()).isZero();
        t.end();
    }
}
