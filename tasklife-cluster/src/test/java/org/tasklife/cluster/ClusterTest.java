package org.tasklife.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;
import org.tasklife.testkit.Await;

/**
 * Three members in this JVM (three kernels, three Hazelcast members on loopback), one cluster for the class:
 * placement, control by global id from a member that does not own the domain, cluster ps and tree, ends.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterTest {
    private static final List<Members.Member> MEMBERS = new ArrayList<>();
    private static List<Integer> ports;

    @BeforeAll
    static void startThreeMembers() {
        ports = Members.freePorts(3);
        try {
            for (int i = 0; i < 3; i++) {
                MEMBERS.add(Members.Member.join(Members.config("ct", ports.get(i), ports).labels(i == 2
                        ? new String[] {"gpu"} : new String[0])));
            }
            Await.until("three members", () -> m(1).memberNumbers().size() == 3, () -> "" + m(1).memberNumbers());
        } catch (RuntimeException | Error e) {
            stopMembers();
            throw e;
        }
    }

    @AfterAll
    static void stopMembers() {
        for (Members.Member m : MEMBERS) {
            m.close();
        }
        MEMBERS.clear();
    }

    /** Each test leaves no domain behind. */
    @AfterEach
    void killEverything() {
        for (ClusterSnapshot.ClusterDomainInfo d : m(1).snapshot().domains()) {
            if (!d.job().isEmpty()) {
                m(1).kill(d.id());
                m(1).awaitStopped(d.id(), Await.LONG);
            }
        }
        Await.until("no placed domain left", () -> m(1).snapshot().domains().isEmpty(),
                () -> m(1).snapshot().renderTable());
    }

    /** The member with number {@code n} (members join in order: 1, 2, 3). */
    private static TasklifeCluster m(int n) {
        return MEMBERS.get(n - 1).cluster();
    }

    private static ClusterSpawnOptions sleeper(String name) {
        return ClusterSpawnOptions.named(name);
    }

    /** 30 domains placed one after the other spread 10/10/10: the least loaded member, ties to the lowest number. */
    @Test
    void spawnDomain_thirtyDomains_tenPerMember() {
        List<GlobalId> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(m(1 + i % 3).spawnDomain(TestJobs.Sleep.class, sleeper("s" + i)).id());
        }
        assertThat(ids.subList(0, 3)).extracting(GlobalId::member).containsExactly(1, 2, 3); // ties: lowest first
        Map<Integer, Integer> perMember = new TreeMap<>();
        for (GlobalId id : ids) {
            perMember.merge(id.member(), 1, Integer::sum);
        }
        assertThat(perMember).containsExactly(Map.entry(1, 10), Map.entry(2, 10), Map.entry(3, 10));
        assertThat(ids).doesNotHaveDuplicates();
        Await.until("30 running domains in cluster ps", () -> m(2).snapshot().domains().stream()
                .filter(d -> d.state() == DomainState.RUNNING && d.liveTasks() == 1).count() == 30);
    }

    /** A kill by global id from a member that does not own the domain stops it Killed; every watcher hears once. */
    @Test
    void kill_fromNonOwner_domainStopsKilledAndWatchersAreTold() throws Exception {
        RemoteDomain d = m(1).spawnDomain(TestJobs.Sleep.class, sleeper("victim"));
        int other = d.id().member() == 3 ? 1 : 3;
        var fromOwner = m(d.id().member()).onEnd(d.id());
        var fromThird = m(6 - other - d.id().member()).onEnd(d.id());

        assertThat(m(other).kill(d.id())).isTrue();

        DomainEnd end = fromThird.get(30, TimeUnit.SECONDS);
        assertThat(end).isEqualTo(new DomainEnd.Stopped(d.id(), ExitStatus.KILLED));
        assertThat(fromOwner.get(30, TimeUnit.SECONDS)).isEqualTo(end);
        assertThat(m(other).awaitStopped(d.id(), Duration.ZERO)).isTrue();
        assertThat(m(other).kill(d.id())).as("a second kill: unknown id now, as Kernel.kill").isFalse();
        assertThat(m(other).kill(new GlobalId(d.id().member(), 999_999))).isFalse();
        assertThat(m(other).kill(new GlobalId(99, 1))).as("no such member").isFalse();
        Await.until("no watch left", () -> m(1).router().watchCount() == 0 && m(2).router().watchCount() == 0
                && m(3).router().watchCount() == 0, () -> m(1).router() + " " + m(2).router() + " " + m(3).router()
                + " ends " + m(1).router().ends.keySet());
        assertThat(m(1).router().placements.containsKey(d.id().toString())).isFalse();
    }

    /** A stop by global id from a non-owner records Exited(code); awaitStopped from a third member sees it. */
    @Test
    void stop_fromNonOwnerWithCode_exitedWithThatCode() throws Exception {
        RemoteDomain d = m(2).spawnDomain(TestJobs.Sleep.class, sleeper("to-stop"));
        int other = d.id().member() == 1 ? 2 : 1;
        assertThat(m(other).domain(d.id()).stop(7)).isTrue();
        assertThat(m(6 - other - d.id().member()).awaitStopped(d.id(), Await.LONG)).isTrue();
        assertThat(m(other).onEnd(d.id()).get(30, TimeUnit.SECONDS))
                .isEqualTo(new DomainEnd.Stopped(d.id(), ExitStatus.exited(7)));
    }

    /** A job's own end is the domain's: its exit code, or Failed with the remote throwable as text. */
    @Test
    void spawnDomain_jobReturnsOrThrows_endCarriesTheStatus() throws Exception {
        RemoteDomain ok = m(1).spawnDomain(TestJobs.ExitWith.class, ClusterSpawnOptions.named("three").args(3));
        RemoteDomain bad = m(1).spawnDomain(TestJobs.Fail.class, ClusterSpawnOptions.named("fails"));
        assertThat(ok.onEnd().get(30, TimeUnit.SECONDS)).isEqualTo(new DomainEnd.Stopped(ok.id(), ExitStatus.exited(3)));
        DomainEnd end = bad.onEnd().get(30, TimeUnit.SECONDS);
        assertThat(end).isInstanceOfSatisfying(DomainEnd.Stopped.class, s -> assertThat(s.status())
                .isInstanceOfSatisfying(ExitStatus.Failed.class, f -> assertThat(f.cause())
                        .isInstanceOf(RemoteFailureException.class)
                        .hasMessageContaining("IllegalStateException: boom in " + bad.id())));
    }

    /** Label constraints: placed on a member with the labels; an impossible one refused, nothing placed. */
    @Test
    void spawnDomain_requireLabels_onlyThereAndImpossibleIsRefused() {
        for (int i = 0; i < 3; i++) {
            assertThat(m(1).spawnDomain(TestJobs.Sleep.class, sleeper("g" + i).requireLabels("gpu")).id().member())
                    .isEqualTo(3);
        }
        assertThatThrownBy(() -> m(1).spawnDomain(TestJobs.Sleep.class, sleeper("nowhere").requireLabels("gpu",
                "tpu"))).isInstanceOf(SpawnRefusedException.class).hasMessageContaining("requireLabels [gpu, tpu]")
                .hasMessageContaining("never falls back");
        assertThat(m(1).snapshot().domains()).hasSize(3);
    }

    /** The domain limits travel with the domain to its member. */
    @Test
    void spawnDomain_limits_travelToTheMember() {
        RemoteDomain d = m(1).spawnDomain(TestJobs.Sleep.class, sleeper("limited").maxTasks(4).maxGroups(2));
        var info = d.info().orElseThrow();
        assertThat(info.maxTasks()).isEqualTo(4);
        assertThat(info.maxGroups()).isEqualTo(2);
        var domain = MEMBERS.get(d.id().member() - 1).kernel().findDomain(d.id().local()).orElseThrow();
        assertThat(domain.maxTasks()).isEqualTo(4);
        assertThat(domain.name()).isEqualTo("limited");
    }

    /** A job class a member cannot make is a bad argument; no domain is left behind. */
    @Test
    void spawnDomain_unknownOrWrongJobClass_illegalArgumentNothingPlaced() {
        assertThatThrownBy(() -> m(1).spawnDomain("org.example.NoSuchJob", sleeper("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("job must name a public class");
        assertThatThrownBy(() -> m(1).spawnDomain(TestJobs.NotAJob.class.getName(), sleeper("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not implement ClusterJob");
        assertThat(m(1).router().placements.isEmpty()).isTrue();
    }

    /** awaitStopped and onEnd of an id never placed: NO_SUCH_TASK, as a joined-away task locally. */
    @Test
    void awaitStopped_unknownId_noSuchTask() {
        assertThatThrownBy(() -> m(1).awaitStopped(new GlobalId(1, 987_654), Duration.ZERO))
                .isInstanceOfSatisfying(TaskLifeException.class, e -> assertThat(e.reason())
                        .isEqualTo(TaskLifeException.Reason.NO_SUCH_TASK)).hasMessageContaining("m1:987654");
    }

    /** Cluster ps lists every member's domains by global id; tree shows each member's kernel. */
    @Test
    void snapshot_domainsOnEveryMember_psAndTreeListThemAll() {
        List<GlobalId> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(m(2).spawnDomain(TestJobs.Sleep.class, sleeper("ps-" + i)).id());
        }
        ClusterSnapshot s = m(3).snapshot();
        assertThat(s.members()).extracting(ClusterSnapshot.MemberView::member).containsExactly(1, 2, 3);
        assertThat(s.domains()).extracting(ClusterSnapshot.ClusterDomainInfo::id).containsExactlyElementsOf(
                ids.stream().sorted().toList());
        String table = s.renderTable();
        for (GlobalId id : ids) {
            assertThat(table).contains(id.toString());
        }
        assertThat(table).contains(TestJobs.Sleep.class.getName());
        assertThat(s.renderTree()).contains("m1 127.0.0.1:" + ports.get(0)).contains("m3 127.0.0.1:"
                + ports.get(2) + " labels=[gpu]").contains("ps-0");
    }

    /** Leaving with HAND_OVER starts the job on another member; STOP (the default) stops it Killed. */
    @Test
    void close_handOverAndStopPolicies_domainsMovedOrStopped() throws Exception {
        for (int i = 0; i < 3; i++) {
            m(1).spawnDomain(TestJobs.Sleep.class, sleeper("busy" + i)); // one each: the newcomer is least loaded
        }
        int port = Members.freePort();
        try (Members.Member leaver = Members.Member.join(Members.config("ct", port, ports)
                .onLeave(LeavePolicy.HAND_OVER, Await.LONG))) {
            RemoteDomain d = m(1).spawnDomain(TestJobs.Sleep.class, sleeper("moving"));
            assertThat(d.id().member()).isEqualTo(leaver.cluster().memberNumber());
            var end = m(2).onEnd(d.id());
            leaver.cluster().close();
            DomainEnd e = end.get(30, TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(DomainEnd.HandedOver.class);
            GlobalId to = ((DomainEnd.HandedOver) e).to();
            assertThat(to.member()).isBetween(1, 3);
            Await.until("the handed-over domain runs", () -> m(1).snapshot().domains().stream()
                    .anyMatch(x -> x.id().equals(to) && x.name().equals("moving") && x.liveTasks() == 1));
        }
        int port2 = Members.freePort();
        try (Members.Member leaver = Members.Member.join(Members.config("ct", port2, ports).cpus(64))) {
            RemoteDomain d = m(1).spawnDomain(TestJobs.Sleep.class, sleeper("stopping"));
            assertThat(d.id().member()).isEqualTo(leaver.cluster().memberNumber());
            var end = m(2).onEnd(d.id());
            leaver.cluster().close();
            assertThat(end.get(30, TimeUnit.SECONDS)).isEqualTo(new DomainEnd.Stopped(d.id(), ExitStatus.KILLED));
            assertThatThrownBy(() -> leaver.cluster().spawnDomain(TestJobs.Sleep.class, sleeper("late")))
                    .isInstanceOfSatisfying(TaskLifeException.class, x -> assertThat(x.reason())
                            .isEqualTo(TaskLifeException.Reason.NOT_PERMITTED));
        }
    }

    /** The command line (a Hazelcast client): ps and tree list the domains, kill by global id, exit codes 0/1/2. */
    @Test
    void clusterTool_psTreeKill_asAClient() throws Exception {
        RemoteDomain d = m(1).spawnDomain(TestJobs.Sleep.class, sleeper("from-cli"));
        String members = String.join(",", Members.addresses(ports));
        String[] where = {"--cluster", "ct", "--members", members};

        Run ps = tool(concat(new String[] {"ps"}, where));
        assertThat(ps.code).as(ps.err).isZero();
        assertThat(ps.out).contains(d.id().toString()).contains("from-cli");
        Run tree = tool(concat(new String[] {"tree"}, where));
        assertThat(tree.out).contains("m1 127.0.0.1:" + ports.get(0)).contains("from-cli");

        Run kill = tool(concat(new String[] {"kill", d.id().toString()}, where));
        assertThat(kill.code).as(kill.err).isZero();
        assertThat(kill.out).contains("kill " + d.id() + ": done");
        assertThat(d.awaitStopped(Await.LONG)).isTrue();

        Run unknown = tool(concat(new String[] {"kill", "m2:999999"}, where));
        assertThat(unknown.code).isEqualTo(1);
        Run bad = tool(concat(new String[] {"stop", "2:17"}, where));
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err).contains("m<member>:<local>");
    }

    private record Run(int code, String out, String err) {}

    private static Run tool(String... args) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int code;
        try (var o = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
                var e = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)) {
            code = ClusterTool.run(args, o, e);
        }
        return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
