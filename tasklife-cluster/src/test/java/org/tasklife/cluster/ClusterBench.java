package org.tasklife.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.testkit.Fixtures;

/**
 * The figures of BENCHMARKS.md's cluster section (a main, not a test): this JVM is member A, two child JVMs are
 * B (label b) and C (label c). Remote kill A→B beside a local kill; 1,000 domains spawned from A; kill -9 of C
 * to the last "lost" report. Run: see docs/cluster.md.
 */
final class ClusterBench {
    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int spawns = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int onC = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        List<Integer> ports = Members.freePorts(3);
        String members = String.join(",", Members.addresses(ports));
        List<Process> children = new ArrayList<>();
        long j0 = System.nanoTime();
        try (Members.Member a = Members.Member.join(Members.config("bench", ports.get(0), ports).labels("a"))) {
            System.out.printf("join of A (first member, in this JVM): %.2f s%n", (System.nanoTime() - j0) / 1e9);
            for (int i = 1; i < 3; i++) {
                j0 = System.nanoTime();
                Process p = ClusterTool.startMember("bench", ports.get(i), members, "--cpus", "2", "--labels",
                        i == 1 ? "b" : "c", "--failure-detection-seconds", "3");
                children.add(p);
                ClusterTool.awaitReady(p, Duration.ofSeconds(120));
                System.out.printf("member process %s: JVM start to joined: %.2f s%n", i == 1 ? "B" : "C",
                        (System.nanoTime() - j0) / 1e9);
            }
            TasklifeCluster c = a.cluster();
            System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cpus, JDK "
                    + Runtime.version() + ", 3 members on loopback (A here, B and C child JVMs -Xmx256m)");

            // local: stop (kill) a domain of one sleeping task, until it has stopped
            long[] local = new long[kills];
            for (int i = 0; i < kills; i++) {
                Domain d = a.kernel().createDomain(DomainOptions.named("local" + i).autoFree(true));
                d.spawnGroup("s", Fixtures::sleepForever);
                while (d.liveTaskCount() == 0) {
                    Thread.onSpinWait();
                }
                long t0 = System.nanoTime();
                d.stop(ExitStatus.KILLED);
                d.onStopped().get(10, TimeUnit.SECONDS);
                local[i] = System.nanoTime() - t0;
            }
            // remote: A kills a domain on B by global id: the call's round trip, and until A is told its end
            long[] remoteCall = new long[kills];
            long[] remoteEnd = new long[kills];
            for (int i = 0; i < kills; i++) {
                RemoteDomain d = c.spawnDomain(TestJobs.Sleep.class, ClusterSpawnOptions.named("remote" + i)
                        .requireLabels("b"));
                CompletableFuture<DomainEnd> end = d.onEnd();
                long t0 = System.nanoTime();
                if (!c.kill(d.id())) {
                    throw new AssertionError("kill " + d.id());
                }
                remoteCall[i] = System.nanoTime() - t0;
                end.get(10, TimeUnit.SECONDS);
                remoteEnd[i] = System.nanoTime() - t0;
            }
            System.out.println("kill, local (Domain.stop to onStopped), " + kills + " runs: " + stats(local));
            System.out.println("kill, remote A->B (cluster.kill returns), " + kills + " runs: " + stats(remoteCall));
            System.out.println("kill, remote A->B (until A is told the end), " + kills + " runs: " + stats(remoteEnd));

            // 1,000 domains spawned from A, one after the other, placed over A, B, C
            long t0 = System.nanoTime();
            List<GlobalId> ids = new ArrayList<>();
            for (int i = 0; i < spawns; i++) {
                ids.add(c.spawnDomain(TestJobs.Sleep.class, ClusterSpawnOptions.named("d" + i)).id());
            }
            long spawnNanos = System.nanoTime() - t0;
            long[] per = new long[4];
            for (GlobalId id : ids) {
                per[id.member()]++;
            }
            System.out.printf("spawn %d domains from A: %.2f s (%.2f ms each); per member A/B/C: %d/%d/%d%n", spawns,
                    spawnNanos / 1e9, spawnNanos / 1e6 / spawns, per[1], per[2], per[3]);
            t0 = System.nanoTime();
            for (GlobalId id : ids) {
                c.kill(id);
            }
            for (GlobalId id : ids) {
                c.awaitStopped(id, Duration.ofSeconds(30));
            }
            System.out.printf("kill %d domains from A, until every end is known: %.2f s%n", spawns,
                    (System.nanoTime() - t0) / 1e9);

            // member death: C holds onC domains; kill -9 of C until the last "lost" report reaches A
            List<CompletableFuture<DomainEnd>> ends = new ArrayList<>();
            for (int i = 0; i < onC; i++) {
                ends.add(c.spawnDomain(TestJobs.Sleep.class, ClusterSpawnOptions.named("c" + i).requireLabels("c"))
                        .onEnd());
            }
            t0 = System.nanoTime();
            children.get(1).destroyForcibly();
            long first = 0;
            for (CompletableFuture<DomainEnd> e : ends) {
                e.get(60, TimeUnit.SECONDS);
                if (first == 0) {
                    first = System.nanoTime() - t0;
                }
            }
            System.out.printf("kill -9 of C with %d domains: last \"lost\" report at A after %.0f ms (failure detection"
                    + " 3 s; the closed connection is noticed first)%n", onC, (System.nanoTime() - t0) / 1e6);
        } finally {
            for (Process p : children) {
                p.getOutputStream().close();
            }
            for (Process p : children) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        System.exit(0);
    }

    private static String stats(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("median %.3f ms, p90 %.3f ms, max %.3f ms", s[s.length / 2] / 1e6,
                s[(int) (s.length * 0.9)] / 1e6, s[s.length - 1] / 1e6);
    }
}
