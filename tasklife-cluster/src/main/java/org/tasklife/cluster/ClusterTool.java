package org.tasklife.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tasklife.Kernel;

/**
 * The cluster's command line (not API), run by {@code bin/tasklife cluster ...}:
 *
 * <pre>
 * member --port 5701 --members 127.0.0.1:5701,127.0.0.1:5702 [--cluster tasklife] [--labels a,b] [--cpus N]
 *        [--failure-detection-seconds N]      runs a member until its standard input closes (or SIGTERM)
 * ps|tree [--members ...] [--cluster ...]     the cluster's domains / each member's tree
 * kill ID | stop ID [--code N]                by global id (m2:17), routed to the owner
 * spawn-demo COUNT [--restarts N]             places COUNT demo domains (a sleeping task each)
 * demo                                        starts three member processes on 5701..5703 and walks through it all
 * </pre>
 *
 * <p>ps, tree, kill, stop and spawn-demo connect as a Hazelcast client (never a member, so that they take no
 * part in placement), on loopback by default.
 */
final class ClusterTool {
    static final String DEFAULT_MEMBERS = "127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703";
    static final List<String> JVM_FLAGS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    /** Hazelcast's logger, kept: the JDK holds loggers weakly. */
    private static final Logger ENGINE_LOG = Logger.getLogger("com.hazelcast");

    private ClusterTool() {}

    public static void main(String[] args) throws Exception {
        ENGINE_LOG.setLevel(Level.parse(System.getProperty("tasklife.cluster.engineLog", "WARNING")));
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("usage: tasklife cluster member|ps|tree|kill|stop|spawn-demo|demo [options] (see docs/cluster.md)");
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> opts = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    err.println("tasklife cluster: option " + args[i] + " needs a value");
                    return 2;
                }
                opts.put(args[i].substring(2), args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        String cluster = opts.getOrDefault("cluster", "tasklife");
        String members = opts.getOrDefault("members", DEFAULT_MEMBERS);
        try {
            switch (args[0]) {
                case "member" -> {
                    return member(cluster, members, opts, out);
                }
                case "demo" -> {
                    return demo(out);
                }
                case "ps", "tree", "kill", "stop", "spawn-demo" -> {
                    HazelcastInstance client = client(cluster, members);
                    try {
                        return control(args[0], positional, opts, new Router(client, cluster), out, err);
                    } finally {
                        client.shutdown();
                    }
                }
                default -> {
                    err.println("tasklife cluster: unknown command '" + args[0]
                            + "'; one of member, ps, tree, kill, stop, spawn-demo, demo");
                    return 2;
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | org.tasklife.TaskLifeException e) {
            err.println("tasklife cluster: " + e.getMessage());
            return 1;
        }
    }

    static HazelcastInstance client(String cluster, String members) {
        ClientConfig cc = new ClientConfig();
        cc.setClusterName(cluster);
        cc.setProperty("hazelcast.phone.home.enabled", "false");
        cc.setProperty("hazelcast.logging.type", "jdk");
        cc.getNetworkConfig().setAddresses(Arrays.asList(members.split(",")));
        cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(10_000);
        return HazelcastClient.newHazelcastClient(cc);
    }

    private static int control(String command, List<String> positional, Map<String, String> opts, Router router,
            PrintStream out, PrintStream err) {
        switch (command) {
            case "ps" -> out.print(router.snapshot().renderTable());
            case "tree" -> out.print(router.snapshot().renderTree());
            case "kill", "stop" -> {
                if (positional.size() != 1) {
                    err.println("tasklife cluster " + command + ": give one global id, e.g. m2:17");
                    return 2;
                }
                GlobalId id;
                try {
                    id = GlobalId.parse(positional.get(0));
                } catch (IllegalArgumentException e) {
                    err.println("tasklife cluster " + command + ": " + e.getMessage());
                    return 2;
                }
                boolean done = router.control(id, command.equals("kill"), Integer.parseInt(opts.getOrDefault("code",
                        "0")), -1);
                out.println(command + " " + id + ": " + (done ? "done" : "no such domain or task, or ending already"));
                return done ? 0 : 1;
            }
            case "spawn-demo" -> {
                int count = positional.isEmpty() ? 1 : Integer.parseInt(positional.get(0));
                int restarts = Integer.parseInt(opts.getOrDefault("restarts", "0"));
                for (int i = 0; i < count; i++) {
                    GlobalId id = router.place("org.tasklife.cluster.demo.Sleeper",
                            ClusterSpawnOptions.named("demo-" + i).restartOnMemberLoss(restarts), null);
                    out.println("spawned " + id);
                }
            }
            default -> throw new IllegalStateException(command);
        }
        return 0;
    }

    private static int member(String cluster, String members, Map<String, String> opts, PrintStream out)
            throws IOException, InterruptedException {
        ClusterConfig config = ClusterConfig.named(cluster)
                .port(Integer.parseInt(opts.getOrDefault("port", Integer.toString(ClusterConfig.DEFAULT_PORT))))
                .members(members.split(","));
        if (opts.containsKey("bind")) {
            config = config.bindAddress(opts.get("bind"));
        }
        if (opts.containsKey("labels")) {
            config = config.labels(opts.get("labels").split(","));
        }
        if (opts.containsKey("cpus")) {
            config = config.cpus(Integer.parseInt(opts.get("cpus")));
        }
        if (opts.containsKey("failure-detection-seconds")) {
            config = config.failureDetection(Duration.ofSeconds(Long.parseLong(opts.get("failure-detection-seconds"))));
        }
        Kernel kernel = Kernel.builder().name("member-" + config.port()).jmx(false).boot();
        TasklifeCluster c = TasklifeCluster.join(kernel, config);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            c.close();
            kernel.close();
            done.countDown();
        }));
        out.println("READY m" + c.memberNumber() + " " + config.bindAddress() + ":" + config.port());
        out.flush();
        // until the standard input closes: a member started by a test or by the demo dies with its parent
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // nothing to read; EOF ends the member
            }
        }
        c.close();
        kernel.close();
        return 0;
    }

    /** A member process on the test's (or the tool's) class path; its standard input is its lifeline. */
    static Process startMember(String cluster, int port, String members, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        cmd.addAll(JVM_FLAGS);
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow"); // Hazelcast's shaded JCTools; JDK 24+ warns
        }
        Level engineLog = ENGINE_LOG.getLevel();
        if (engineLog != null) {
            cmd.add("-Dtasklife.cluster.engineLog=" + engineLog.getName()); // as quiet as this JVM
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(ClusterTool.class.getName());
        cmd.addAll(List.of("member", "--cluster", cluster, "--port", Integer.toString(port), "--members", members));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Reads the member's "READY m&lt;n&gt; ..." line, at most {@code timeout}; returns its number. */
    static int awaitReady(Process p, Duration timeout) throws Exception {
        CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("READY m")) {
                        return Integer.parseInt(line.substring(7, line.indexOf(' ', 7)));
                    }
                }
                throw new IllegalStateException("member process ended before it was ready: " + p.exitValue());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static int demo(PrintStream out) throws Exception {
        if (System.getProperty("tasklife.cluster.engineLog") == null) {
            // the demo kills a member with kill -9 on purpose: the engine's connection warnings that follow are
            // expected, so the demo and its members log only the engine's errors (-Dtasklife.cluster.engineLog=...)
            ENGINE_LOG.setLevel(Level.SEVERE);
        }
        List<Process> members = new ArrayList<>();
        try {
            for (int port = 5701; port <= 5703; port++) {
                Process p = startMember("tasklife-demo", port, DEFAULT_MEMBERS, "--cpus", "2",
                        "--failure-detection-seconds", "3");
                members.add(p);
                out.println("member m" + awaitReady(p, Duration.ofSeconds(60)) + " on 127.0.0.1:" + port);
            }
            HazelcastInstance client = client("tasklife-demo", DEFAULT_MEMBERS);
            try {
                Router router = new Router(client, "tasklife-demo");
                List<GlobalId> ids = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ids.add(router.place("org.tasklife.cluster.demo.Sleeper", ClusterSpawnOptions.named("tenant-" + i)
                            .restartOnMemberLoss(i % 2), null));
                }
                out.println("\n$ tasklife cluster ps");
                out.print(router.snapshot().renderTable());
                out.println("\n$ tasklife cluster kill " + ids.get(0));
                out.println("kill " + ids.get(0) + ": " + router.control(ids.get(0), true, 0, -1) + " -> "
                        + router.onEnd(ids.get(0)).get(30, TimeUnit.SECONDS));
                out.println("\nkill -9 of member m3 (its domains: reported lost once; odd tenants restart elsewhere)");
                List<CompletableFuture<DomainEnd>> lost = new ArrayList<>();
                for (GlobalId id : ids) {
                    if (id.member() == 3) {
                        lost.add(router.onEnd(id));
                    }
                }
                members.get(2).destroyForcibly();
                for (CompletableFuture<DomainEnd> f : lost) {
                    out.println("  " + f.get(60, TimeUnit.SECONDS));
                }
                out.println("\n$ tasklife cluster ps");
                out.print(router.snapshot().renderTable());
            } finally {
                client.shutdown();
            }
            return 0;
        } finally {
            for (Process p : members) {
                p.getOutputStream().close();
            }
            for (Process p : members) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }
}
