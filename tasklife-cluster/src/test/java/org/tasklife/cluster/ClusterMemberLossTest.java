package org.tasklife.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.testkit.Await;

/**
 * A member killed with {@code kill -9} (Process.destroyForcibly): this JVM is member m1, two child JVMs are m2
 * and m3. Each of m3's domains is reported lost exactly once, the restart-option ones run again elsewhere, the
 * others are unaffected. Kill and stop from this JVM reach domains in the children.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterMemberLossTest {
    private static final Duration START = Await.scaled(Duration.ofSeconds(60));
    private static final List<Process> CHILDREN = new ArrayList<>();
    private static Members.Member self;

    @BeforeAll
    static void startMembers() throws Exception {
        List<Integer> ports = Members.freePorts(3);
        String members = String.join(",", Members.addresses(ports));
        try {
            self = Members.Member.join(Members.config("loss", ports.get(0), ports));
            for (int i = 1; i < 3; i++) {
                Process p = ClusterTool.startMember("loss", ports.get(i), members, "--cpus", "2",
                        "--failure-detection-seconds", Long.toString(Members.FAILURE_DETECTION.toSeconds()));
                CHILDREN.add(p);
                assertThat(ClusterTool.awaitReady(p, START)).isEqualTo(i + 1);
            }
            Await.until("three members", () -> self.cluster().memberNumbers().size() == 3);
        } catch (Exception | Error e) {
            stopMembers();
            throw e;
        }
    }

    @AfterAll
    static void stopMembers() throws Exception {
        for (Process p : CHILDREN) {
            p.getOutputStream().close(); // the member leaves when its standard input closes
        }
        for (Process p : CHILDREN) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        CHILDREN.clear();
        if (self != null) {
            self.close();
            self = null;
        }
    }

    /**
     * kill -9 of m3 mid-run: each of its domains reported MemberLost once (to every watcher here), restart-option
     * ones running again on m1/m2 with their budget spent, the others still running; control from m1 reaches m2.
     * Then kill -9 of m2: a domain already restarted once is reported lost and not restarted again (bounded).
     */
    @Test
    void memberKilled_itsDomainsReportedLostOnce_restartedOnesRunElsewhere() throws Exception {
        TasklifeCluster c = self.cluster();
        Map<GlobalId, AtomicInteger> reports = new ConcurrentHashMap<>();
        AutoCloseable listener = c.onDomainEnd(e -> reports.computeIfAbsent(e.id(), k -> new AtomicInteger())
                .incrementAndGet());
        try {
            List<GlobalId> plain = new ArrayList<>();
            List<GlobalId> restartable = new ArrayList<>();
            for (int i = 0; i < 6; i++) { // least loaded, ties to the lowest: m1, m2, m3, m1, m2, m3
                plain.add(c.spawnDomain(TestJobs.Sleep.class, ClusterSpawnOptions.named("plain" + i)).id());
            }
            for (int i = 0; i < 6; i++) {
                restartable.add(c.spawnDomain(TestJobs.Sleep.class, ClusterSpawnOptions.named("sup" + i)
                        .restartOnMemberLoss(1)).id());
            }
            assertThat(plain).extracting(GlobalId::member).containsExactly(1, 2, 3, 1, 2, 3);
            assertThat(restartable).extracting(GlobalId::member).containsExactly(1, 2, 3, 1, 2, 3);

            // control from this JVM (m1) of a domain in a child (m2): stop with a code, then a kill
            GlobalId stopped = plain.get(1);
            assertThat(c.stop(stopped, 4)).isTrue();
            assertThat(c.onEnd(stopped).get(30, TimeUnit.SECONDS))
                    .isEqualTo(new DomainEnd.Stopped(stopped, ExitStatus.exited(4)));

            List<GlobalId> onVictim = new ArrayList<>();
            List<CompletableFuture<DomainEnd>> victimEnds = new ArrayList<>();
            List<CompletableFuture<DomainEnd>> secondWatchers = new ArrayList<>();
            for (GlobalId id : concat(plain, restartable)) {
                if (id.member() == 3) {
                    onVictim.add(id);
                    victimEnds.add(c.onEnd(id));
                    secondWatchers.add(c.domain(id).onEnd());
                }
            }
            long t0 = System.nanoTime();
            CHILDREN.get(1).destroyForcibly(); // kill -9 of m3
            assertThat(CHILDREN.get(1).waitFor(30, TimeUnit.SECONDS)).isTrue();

            List<GlobalId> restartedAs = new ArrayList<>();
            for (int i = 0; i < onVictim.size(); i++) {
                DomainEnd end = victimEnds.get(i).get(60, TimeUnit.SECONDS);
                assertThat(secondWatchers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(end);
                assertThat(end).isInstanceOfSatisfying(DomainEnd.MemberLost.class, lost -> {
                    assertThat(lost.member()).isEqualTo(3);
                    assertThat(lost.restarted().isPresent()).isEqualTo(restartable.contains(lost.id()));
                    lost.restarted().ifPresent(restartedAs::add);
                });
            }
            long lostMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("cluster: kill -9 to the last of " + onVictim.size() + " lost reports: " + lostMillis
                    + " ms (failure detection " + Members.FAILURE_DETECTION + ")");
            assertThat(restartedAs).hasSize(2).allSatisfy(id -> assertThat(id.member()).isIn(1, 2));

            Await.until("restarted domains running, the others unaffected", () -> {
                var s = c.snapshot();
                var running = s.domains().stream().filter(d -> d.state() == DomainState.RUNNING && d.liveTasks() == 1)
                        .map(ClusterSnapshot.ClusterDomainInfo::id).toList();
                List<GlobalId> expected = new ArrayList<>(restartedAs);
                for (GlobalId id : concat(plain, restartable)) {
                    if (id.member() != 3 && !id.equals(stopped)) {
                        expected.add(id);
                    }
                }
                return s.members().size() == 2 && running.containsAll(expected) && running.size() == expected.size();
            }, () -> c.snapshot().renderTable());
            for (GlobalId id : concat(plain, restartable)) {
                if (id.member() != 3 && !id.equals(stopped)) {
                    assertThat(reports).doesNotContainKey(id);
                }
            }
            // the restart budget is spent: the restarted domains carry 0
            for (GlobalId id : restartedAs) {
                assertThat(c.router().placements.get(id.toString()).options().restartOnMemberLoss()).isZero();
            }

            // a second death, m2: its restart-option domains restart (on m1, the only member left); the domain
            // restarted there after m3's death has spent its budget: reported lost, not restarted again
            assertThat(restartedAs).extracting(GlobalId::member).containsExactlyInAnyOrder(1, 2);
            List<GlobalId> onM2 = new ArrayList<>();
            for (GlobalId id : concat(concat(plain, restartable), restartedAs)) {
                if (id.member() == 2 && !id.equals(stopped)) {
                    onM2.add(id);
                }
            }
            List<CompletableFuture<DomainEnd>> m2Ends = new ArrayList<>();
            for (GlobalId id : onM2) {
                m2Ends.add(c.onEnd(id));
            }
            CHILDREN.get(0).destroyForcibly();
            assertThat(CHILDREN.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < onM2.size(); i++) {
                GlobalId id = onM2.get(i);
                assertThat(m2Ends.get(i).get(60, TimeUnit.SECONDS)).isInstanceOfSatisfying(DomainEnd.MemberLost.class,
                        lost -> {
                            assertThat(lost.member()).isEqualTo(2);
                            assertThat(lost.restarted().isPresent()).as("restarted: " + id)
                                    .isEqualTo(restartable.contains(id));
                            lost.restarted().ifPresent(r -> assertThat(r.member()).isEqualTo(1));
                        });
            }
            assertThat(onM2).hasSize(4); // plain4, sup1, sup4, and one restarted after m3's death

            // kill every domain left, from m1; then exactly one report for each of the 12 + 2 + 2 restarted domains
            List<GlobalId> left = c.snapshot().domains().stream().map(ClusterSnapshot.ClusterDomainInfo::id).toList();
            for (GlobalId id : left) {
                assertThat(c.kill(id)).isTrue();
            }
            for (GlobalId id : left) {
                assertThat(c.awaitStopped(id, Await.LONG)).isTrue();
            }
            Await.until("a report for every domain", () -> reports.size() == 16, reports::toString);
            assertThat(reports.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            Await.until("no placement, no watch left", () -> c.router().placements.isEmpty()
                    && c.router().watchCount() == 0, () -> c.router().placements.keySet() + " " + c.router());
            assertThat(c.memberNumbers()).containsExactly(1);
        } finally {
            listener.close();
        }
    }

    private static List<GlobalId> concat(List<GlobalId> a, List<GlobalId> b) {
        List<GlobalId> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
