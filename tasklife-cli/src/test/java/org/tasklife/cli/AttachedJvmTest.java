package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * ps, tree, kill and stop against a second JVM, started by this test with the same java binary and class
 * path, running {@link Workload}: reached through the JDK attach API. The child is always destroyed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttachedJvmTest {
    private static final long READY_SECONDS = 30 * Long.getLong("tasklife.timeoutFactor", 1L);

    private Process child;
    private String pid;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @BeforeAll
    void startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Workload.class.getName())
                .redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("(read failed: " + e + ")");
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        StringBuilder seen = new StringBuilder();
        while (pid == null) {
            String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("child JVM not ready after " + READY_SECONDS + " s; it printed:\n" + seen);
            }
            seen.append(l).append('\n');
            if (l.startsWith("ready ")) {
                pid = l.substring("ready ".length()).trim();
            }
        }
        assertThat(pid).isEqualTo(Long.toString(child.pid()));
    }

    @AfterAll
    void destroyChild() throws Exception {
        if (child != null) {
            child.getOutputStream().close(); // the workload ends when its stdin closes
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static long idOf(String out, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(out);
        assertThat(m.find()).as("%s in\n%s", pattern, out).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** jvms lists the child JVM with its main class, kernel and live tasks; --pid may be omitted if it is the only one. */
    @Test
    @Order(0)
    void jvms_listsTheChild_andPidMayBeOmittedWhenItIsTheOnlyOne() {
        CliRun jvms = CliRun.of("jvms");
        assertThat(jvms.code()).as("%s", jvms).isZero();
        assertThat(jvms.out().lines()).first().asString().startsWith("PID").contains("MAIN", "KERNELS", "LIVE");
        assertThat(jvms.out().lines()).anyMatch(l -> l.matches(pid + "\\s+" + Workload.class.getName()
                + "\\s+workload#\\d+\\s+6"));
        // other JVMs of this user may run kernels too: then omitting --pid is a usage error that lists them all
        CliRun ps = CliRun.of("ps", "--no-color");
        if (ps.code() == 0) {
            assertThat(ps.out()).contains("kernel workload#", "6 live tasks");
        } else {
            assertThat(ps.code()).as("%s", ps).isEqualTo(2);
            assertThat(ps.err()).contains("local JVMs run a tasklife kernel: choose one with --pid", pid);
        }
    }

    /** ps lists the child's tasks with their states and wait channels. */
    @Test
    @Order(1)
    void ps_listsTheTasksOfAnotherJvm() {
        CliRun ps = CliRun.of("ps", "--pid", pid, "--no-color");
        assertThat(ps.code()).as("%s", ps).isZero();
        assertThat(ps.out()).contains("kernel workload#", "6 live tasks", "handler-1", "handler-2", "mutex@", "job-7",
                "waitChild(", "tenant", "batch");
    }

    /** tree draws the nested domains, the groups (a child group under its parent) and the tasks. */
    @Test
    @Order(2)
    void tree_drawsDomainsGroupsTasks() {
        CliRun tree = CliRun.of("tree", "--pid", pid, "--no-color");
        assertThat(tree.code()).as("%s", tree).isZero();
        String out = tree.out();
        assertThat(out).contains("domain 1 root", "domain ", " tenant [RUNNING", " batch [RUNNING", "group ", " api [ALIVE]",
                "task ", "handler-1 [BLOCKED in mutex@");
        assertThat(out.indexOf(" batch [")).isGreaterThan(out.indexOf(" tenant ["));
        assertThat(out.indexOf(" job-7 [ALIVE]")).isGreaterThan(out.indexOf(" jobs [ALIVE]"));
    }

    /** kill ends a task blocked in a mutex in the other JVM; ps no longer lists it. */
    @Test
    @Order(3)
    void kill_endsATaskBlockedInAMutex() throws Exception {
        long id = idOf(CliRun.of("ps", "--pid", pid, "--no-color").out(), "\\s(\\d+)\\s+\\d+\\s+\\d+\\s+tenant\\s+handler-1 ");
        CliRun kill = CliRun.of("kill", Long.toString(id), "--pid", pid);
        assertThat(kill.code()).as("%s", kill).isZero();
        String out = Poll.until("handler-1 gone", 10, () -> CliRun.of("ps", "--pid", pid, "--no-color").out(),
                o -> !o.contains("handler-1"));
        assertThat(out).contains("5 live tasks", "handler-2");
    }

    /**
     * observe serves the other JVM's kernel over its JMX connection: the snapshot (as tree --json), a group kill
     * refused without the token (nothing changes), then done with it.
     */
    @Test
    @Order(4)
    void observe_showsTheOtherJvm_andKillsAGroupOnlyWithTheToken() throws Exception {
        ObserveRun run = new ObserveRun("--pid", pid);
        try (run) {
            String snap = run.snapshot();
            assertThat(snap).startsWith("{\"pid\":" + pid + ",\"kernels\":[{\"name\":\"workload\"")
                    .contains("\"name\":\"tenant\"", "\"name\":\"handler-2\"", "\"waitChannel\":\"mutex@",
                            "\"name\":\"job-7\"");
            String kernel = snap.replaceFirst("(?s).*?\"instanceId\":(\\d+),.*", "$1");
            long worker = idOf(snap, "\\{\"id\":(\\d+),\"parentId\":\\d+,\"domainId\":\\d+,\"domain\":\"tenant\","
                    + "\"name\":\"worker\",\"state\":\"ALIVE\"");
            String kill = "/api/kill-group?kernel=" + kernel + "&id=" + worker;

            assertThat(run.send("POST", kill, null).statusCode()).isEqualTo(403);
            assertThat(run.send("POST", kill, run.token + "0").statusCode()).isEqualTo(403);
            assertThat(CliRun.of("ps", "--pid", pid, "--no-color").out()).contains("5 live tasks", " worker ");

            assertThat(run.send("POST", kill, run.token).body()).isEqualTo("{\"changed\":true,\"message\":\"killed group "
                    + worker + "\"}");
            String out = Poll.until("worker gone", 10, () -> CliRun.of("ps", "--pid", pid, "--no-color").out(),
                    o -> !o.contains(" worker "));
            assertThat(out).contains("4 live tasks", "handler-2");
            assertThat(run.send("POST", "/api/kill-task?kernel=" + kernel + "&id=999999", run.token).body())
                    .contains("no task 999999"); // the MXBean's IllegalArgumentException, across the JMX connection
        }
        assertThat(run.code.get()).as("exit code; err: %s", run.err).isZero();
    }

    /** stop ends a whole domain of the other JVM, nested domains included. */
    @Test
    @Order(5)
    void stop_endsADomain() throws Exception {
        long tenant = idOf(CliRun.of("tree", "--pid", pid, "--no-color").out(), "domain (\\d+) tenant");
        CliRun stop = CliRun.of("stop", Long.toString(tenant), "--pid", pid);
        assertThat(stop.code()).as("%s", stop).isZero();
        String out = Poll.until("the domain stopped", 10, () -> CliRun.of("tree", "--pid", pid, "--no-color").out(),
                o -> o.contains("0 live tasks,"));
        assertThat(out).contains(" tenant [STOPPED Exited(0)", " batch [STOPPED Killed");
    }
}
