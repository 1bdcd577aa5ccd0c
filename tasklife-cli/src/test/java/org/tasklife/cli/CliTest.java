package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;

/**
 * The commands run in-process against this JVM (which needs no attach), and their errors: one line, a
 * non-zero exit, no stack trace unless --verbose.
 */
class CliTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());

    /** --version prints the project version the build wrote into the jar. */
    @Test
    void version_printsProjectVersion() {
        CliRun v = CliRun.of("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out().strip()).matches("tasklife \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    /** With no arguments the command prints its usage and succeeds; an unknown command is a usage error (2). */
    @Test
    void noArguments_printUsage_unknownCommandExits2() {
        CliRun usage = CliRun.of();
        assertThat(usage.code()).isZero();
        assertThat(usage.out()).contains("Usage: tasklife", "demo", "ps", "top", "tree", "kill", "stop");
        CliRun bad = CliRun.of("frobnicate");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("Unmatched argument");
    }

    /** ps and tree show the tasks, groups and domains of a kernel; ps --json too. */
    @Test
    void psTreeJson_showKernelTasksGroupsAndDomains() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-ps").boot()) {
            Domain shop = k.createDomain("shop");
            InProcessKernels.sleeper(shop, "napper");
            InProcessKernels.awaitBlocked(k, 1);

            CliRun ps = CliRun.of("ps", "--pid", SELF, "--no-color");
            assertThat(ps.code()).as("%s", ps).isZero();
            assertThat(ps.out()).contains("kernel cli-ps#", "1 live tasks", "TID", "WCHAN", "napper", "BLOCKED", "shop",
                    "sleep(");

            CliRun tree = CliRun.of("tree", "--pid", SELF, "--no-color", "--kernel", "cli-ps");
            assertThat(tree.code()).as("%s", tree).isZero();
            assertThat(tree.out()).contains("domain 1 root", "└─ domain " + shop.id() + " shop",
                    "group ", " napper [ALIVE]", "task ", "napper [BLOCKED in sleep(");

            CliRun json = CliRun.of("ps", "--json", "--pid", SELF);
            assertThat(json.code()).as("%s", json).isZero();
            assertThat(json.out()).startsWith("{\"pid\":" + SELF + ",\"kernels\":[{\"name\":\"cli-ps\"")
                    .contains("\"name\":\"napper\",\"state\":\"BLOCKED\"", "\"domainId\":" + shop.id()).endsWith("]}]}\n");
        }
    }

    /** One table format: ps prints the library's own process table (KernelSnapshot.renderTable), header and rows. */
    @Test
    void ps_printsTheLibrarysTable() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-table").boot()) {
            InProcessKernels.sleeper(k.createDomain("shop"), "napper");
            InProcessKernels.awaitBlocked(k, 1);
            String table = k.snapshot().renderTable();
            String header = table.lines().findFirst().orElseThrow();
            String row = table.lines().filter(l -> l.contains("napper")).findFirst().orElseThrow();
            String rowUpToState = row.substring(0, row.indexOf("BLOCKED") + "BLOCKED".length());

            CliRun ps = CliRun.of("ps", "--pid", SELF, "--no-color");

            assertThat(ps.code()).as("%s", ps).isZero();
            assertThat(ps.out().lines()).contains(header).anyMatch(l -> l.startsWith(rowUpToState));
        }
    }

    /** kill and stop act on the kernel; a bad id fails in one line, with the stack only under --verbose. */
    @Test
    void killAndStop_act_badIdsFailInOneLine() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-kill").boot()) {
            Domain shop = k.createDomain("shop");
            TaskGroup a = InProcessKernels.sleeper(shop, "a");
            InProcessKernels.sleeper(shop, "b");
            InProcessKernels.awaitBlocked(k, 2);

            CliRun kill = CliRun.of("kill", String.valueOf(a.id()), "--pid", SELF);
            assertThat(kill.code()).as("%s", kill).isZero();
            assertThat(kill.out()).contains("killed task " + a.id() + " of kernel cli-kill#");
            assertThat(a.onExit().get(10, TimeUnit.SECONDS)).isNotNull();

            CliRun bad = CliRun.of("kill", "999999", "--pid", SELF);
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).isEqualTo("tasklife kill: kernel 'cli-kill' has no task 999999\n");
            CliRun verbose = CliRun.of("kill", "999999", "--pid", SELF, "--verbose");
            assertThat(verbose.code()).isEqualTo(1);
            assertThat(verbose.err()).contains("has no task 999999", "\tat ");

            CliRun root = CliRun.of("stop", String.valueOf(k.rootDomain().id()), "--pid", SELF);
            assertThat(root.code()).isEqualTo(1);
            assertThat(root.err()).contains("root domain").doesNotContain("\tat ");

            CliRun stop = CliRun.of("stop", String.valueOf(shop.id()), "--status", "3", "--pid", SELF);
            assertThat(stop.code()).as("%s", stop).isZero();
            assertThat(stop.out()).contains("stopping domain " + shop.id());
            assertThat(shop.awaitStopped(Duration.ofSeconds(10))).isTrue();
            assertThat(shop.status()).hasValueSatisfying(st -> assertThat(st.toString()).isEqualTo("Exited(3)"));
        }
    }

    /** kill of an ended task not yet reaped says it already ended (exit 0); of a reaped one, that there is no such task (1). */
    @Test
    void kill_endedThenReapedTask_failsInOneLine() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-ended").boot()) {
            TaskGroup g = k.spawnGroup("short", () -> 0);
            assertThat(g.onExit().get(10, TimeUnit.SECONDS).toString()).isEqualTo("Exited(0)");

            CliRun ended = CliRun.of("kill", String.valueOf(g.id()), "--pid", SELF);
            assertThat(ended.code()).as("%s", ended).isZero(); // done: what was asked holds (exit-code table)
            assertThat(ended.out()).startsWith("task " + g.id() + " of kernel cli-ended#")
                    .endsWith(" was already killed or ending\n");
            assertThat(ended.err()).isEmpty();

            g.reap();
            CliRun reaped = CliRun.of("kill", String.valueOf(g.id()), "--pid", SELF);
            assertThat(reaped.code()).isEqualTo(1);
            assertThat(reaped.err()).isEqualTo("tasklife kill: kernel 'cli-ended' has no task " + g.id() + "\n");
        }
    }

    /** A JVM without a kernel, an unknown pid, and two kernels without --kernel each fail clearly. */
    @Test
    void noKernel_unknownPid_ambiguousKernel_failClearly() {
        CliRun none = CliRun.of("ps", "--pid", SELF);
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("tasklife ps: JVM " + SELF + " runs no tasklife kernel (no MBean matches "
                + "org.tasklife:type=Kernel,*)\n");

        CliRun unknown = CliRun.of("tree", "--pid", "999999999");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("tasklife tree: no process with pid 999999999\n");

        try (Kernel a = Kernel.builder().name("one").boot(); Kernel b = Kernel.builder().name("two").boot()) {
            assertThat(a.liveTaskCount() + b.liveTaskCount()).isZero();
            CliRun ambiguous = CliRun.of("kill", "5", "--pid", SELF);
            assertThat(ambiguous.code()).isEqualTo(1);
            assertThat(ambiguous.err()).contains("runs 2 kernels (one#", "two#", "choose one with --kernel");
            CliRun missing = CliRun.of("ps", "--pid", SELF, "--kernel", "three");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("has no kernel named or numbered 'three'");
        }
    }

    /** A process that is not a JVM is refused without being signalled (attach would SIGQUIT it). */
    @Test
    void notAJvm_isRefused_andLeftAlive() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            CliRun r = CliRun.of("ps", "--pid", String.valueOf(sleep.pid()));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("process " + sleep.pid(), "is not a Java VM");
            assertThat(sleep.isAlive()).isTrue();
        } finally {
            sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** top refreshes the given number of times and stops. */
    @Test
    void top_refreshesNTimes() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-top").boot()) {
            InProcessKernels.sleeper(k.rootDomain(), "idle");
            InProcessKernels.awaitBlocked(k, 1);
            CliRun top = CliRun.of("top", "--pid", SELF, "-n", "2", "-d", "20", "--no-color");
            assertThat(top.code()).as("%s", top).isZero();
            assertThat(top.out()).contains("refresh 1,", "refresh 2,", "CPU%", "idle");
        }
    }

    /** The demo, quiet and small, passes its audit and says so. */
    @Test
    void demo_quiet_passesItsAudit() {
        CliRun demo = CliRun.of("demo", "--quiet", "--no-color", "--tasks", "700");
        assertThat(demo.code()).as("%s", demo).isZero();
        assertThat(demo.out()).contains("kill(task", "ended Killed", "stop(crowd): 700 blocked tasks", "baseline:",
                "audit: OK — 0 live tasks, 0 queued waiters, 717 resources closed exactly once").doesNotContain("FAIL");
        assertThat(demo.err()).isEmpty();
    }
}
