package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/** The command line's manners: help, versions, suggestions, the exit-code table, names for ids, tree --json. */
class CliPolishTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());
    private static final List<String> SUBCOMMANDS = List.of("demo", "jvms", "ps", "top", "tree", "kill", "stop",
            "observe");

    /** `help` prints the usage of the command or of a subcommand, and lists jvms and the exit codes. */
    @Test
    void help_subcommand_printsUsage() {
        CliRun help = CliRun.of("help");
        assertThat(help.code()).as("%s", help).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("Usage: tasklife", "jvms", "help", "Exit codes: 0 done",
                "1 refused or not found",
                "2 bad usage");
        CliRun kill = CliRun.of("help", "kill");
        assertThat(kill.code()).as("%s", kill).isZero();
        assertThat(kill.out()).contains("Usage: tasklife kill", "ID|NAME", "--group");
    }

    /** -V and --version on every subcommand print the project version. */
    @Test
    void version_onEverySubcommand_printsTheVersion() {
        for (String sub : SUBCOMMANDS) {
            for (String flag : List.of("-V", "--version")) {
                CliRun v = CliRun.of(sub, flag);
                assertThat(v.code()).as("%s %s: %s", sub, flag, v).isZero();
                assertThat(v.out().strip()).as("%s %s", sub, flag).matches("tasklife \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
            }
        }
    }

    /** A misspelled subcommand (a transposition, a letter too many or missing) gets a suggestion and exits 2. */
    @Test
    void misspelledSubcommand_suggestsTheNearest_exits2() {
        for (String[] typo : new String[][] {{"dmeo", "demo"}, {"pss", "ps"}, {"jvsm", "jvms"}, {"tre", "tree"},
            {"kil", "kill"}, {"sotp", "stop"}, {"tpo", "top"}, {"hlep", "help"}, {"obsevre", "observe"}}) {
            CliRun r = CliRun.of(typo[0]);
            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as(typo[0]).contains("Unmatched argument", "Did you mean: tasklife " + typo[1]);
        }
        CliRun far = CliRun.of("frobnicate");
        assertThat(far.code()).isEqualTo(2);
        assertThat(far.err()).doesNotContain("Did you mean");
    }

    /** Help text is wrapped at word boundaries only: no line is broken before the width is used up. */
    @Test
    void demoHelp_isNotWrappedMidSentence() {
        for (String sub : SUBCOMMANDS) {
            CliRun help = CliRun.of(sub, "--help");
            assertThat(help.code()).isZero();
            List<String> lines = help.out().lines().toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                String next = lines.get(i + 1).strip();
                if (lines.get(i).isBlank() || next.isEmpty() || !Character.isLowerCase(next.charAt(0))) {
                    continue;
                }
                String word = next.split(" ", 2)[0];
                assertThat(lines.get(i).stripTrailing().length() + 1 + word.length())
                        .as("%s --help breaks early after line %d:\n%s", sub, i + 1, help.out()).isGreaterThan(77);
            }
        }
        assertThat(CliRun.of("demo", "--help").out().replaceAll("\\s+", " ")).contains("Exits 1 if any check fails.");
    }

    /** `ps` and `top` say that a virtual thread's CPU column is an estimate that counts time blocked outside tasklife. */
    @Test
    void psAndTopHelp_sayVirtualThreadCpuIsAnEstimate() {
        for (String sub : new String[] {"ps", "top"}) {
            String help = CliRun.of(sub, "--help").out().replaceAll("\\s+", " ");
            assertThat(help).as(sub).contains("an estimate that also counts time blocked outside tasklife");
        }
    }

    /** The exit-code table: done 0 (already killed, already stopping), refused/not found 1, usage 2. */
    @Test
    void exitCodes_killAndStopOfWhatIsAlreadyEnding_exit0_refused1_usage2() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-codes").boot()) {
            Domain shop = k.createDomain("shop");
            TaskGroup a = InProcessKernels.sleeper(shop, "a");
            InProcessKernels.awaitBlocked(k, 1);
            assertThat(CliRun.of("kill", String.valueOf(a.id()), "--pid", SELF).code()).isZero();
            a.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            CliRun again = CliRun.of("kill", String.valueOf(a.id()), "--pid", SELF);
            assertThat(again.code()).as("%s", again).isZero();
            assertThat(again.out()).contains("was already killed or ending");

            assertThat(CliRun.of("stop", String.valueOf(shop.id()), "--pid", SELF).code()).isZero();
            assertThat(shop.awaitStopped(Duration.ofSeconds(10))).isTrue();
            CliRun stopAgain = CliRun.of("stop", String.valueOf(shop.id()), "--pid", SELF);
            assertThat(stopAgain.code()).as("%s", stopAgain).isZero();
            assertThat(stopAgain.out()).contains("was already stopping");

            assertThat(CliRun.of("kill", "999999", "--pid", SELF).code()).isEqualTo(1);
            assertThat(CliRun.of("stop", String.valueOf(k.rootDomain().id()), "--pid", SELF).code()).isEqualTo(1);
            assertThat(CliRun.of("kill", "--pid", SELF).code()).isEqualTo(2);
            assertThat(CliRun.of("ps", "--bogus").code()).isEqualTo(2);
            assertThat(CliRun.of("top", "--pid", SELF, "-d", "1").code()).isEqualTo(2);
            CliRun tasks = CliRun.of("demo", "--tasks", "3");
            assertThat(tasks.code()).isEqualTo(2);
            assertThat(tasks.err()).contains("--tasks must be between 7 and 1000000, was 3");
        }
    }

    /** kill and stop take a name when only one task/group or domain has it; unknown or ambiguous names exit 1. */
    @Test
    void killAndStop_byName_actWhenUnambiguous_elseNameTheCandidates() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-names").boot()) {
            Domain shop = k.createDomain("shop");
            Domain other = k.createDomain(DomainOptions.named("twin"));
            Domain twin = k.createDomain(DomainOptions.named("twin"));
            TaskGroup napper = InProcessKernels.sleeper(shop, "napper");
            TaskGroup dup1 = InProcessKernels.sleeper(shop, "dup");
            TaskGroup dup2 = InProcessKernels.sleeper(twin, "dup");
            Task<Integer> helper = napper.spawnTask("napper-helper", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            InProcessKernels.awaitBlocked(k, 4);

            // a group's name kills the whole group (a kill of its main task alone would leave the helper running)
            CliRun kill = CliRun.of("kill", "napper", "--pid", SELF);
            assertThat(kill.code()).as("%s", kill).isZero();
            assertThat(kill.out()).contains("killed group " + napper.id());
            assertThat(napper.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
            assertThat(helper.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);

            CliRun ambiguous = CliRun.of("kill", "dup", "--pid", SELF);
            assertThat(ambiguous.code()).isEqualTo(1);
            assertThat(ambiguous.err()).contains("'dup' is ambiguous", "group " + dup1.id() + " in domain shop",
                    "group " + dup2.id() + " in domain twin", "give the id");
            CliRun unknown = CliRun.of("kill", "nobody", "--pid", SELF);
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("has no task or group named 'nobody'");

            CliRun byGroupId = CliRun.of("kill", "--group", Long.toString(dup1.id()), "--pid", SELF);
            assertThat(byGroupId.code()).as("%s", byGroupId).isZero();
            assertThat(byGroupId.out()).contains("killed group " + dup1.id());
            assertThat(dup1.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);

            CliRun twins = CliRun.of("stop", "twin", "--pid", SELF);
            assertThat(twins.code()).isEqualTo(1);
            assertThat(twins.err()).contains("'twin' is ambiguous", "domain " + other.id(), "domain " + twin.id());
            assertThat(CliRun.of("stop", "nowhere", "--pid", SELF).err()).contains("has no domain named 'nowhere'");

            CliRun stop = CliRun.of("stop", "shop", "--pid", SELF);
            assertThat(stop.code()).as("%s", stop).isZero();
            assertThat(stop.out()).contains("stopping domain " + shop.id());
            assertThat(shop.awaitStopped(Duration.ofSeconds(10))).isTrue();
            assertThat(twin.state().toString()).isEqualTo("RUNNING");
        }
    }

    /** tree --json prints the kernel's domains, groups (with parent ids) and tasks as JSON. */
    @Test
    void treeJson_printsDomainsGroupsTasks() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-tree-json").boot()) {
            Domain shop = k.createDomain("shop");
            InProcessKernels.sleeper(shop, "napper");
            InProcessKernels.awaitBlocked(k, 1);
            CliRun tree = CliRun.of("tree", "--json", "--pid", SELF);
            assertThat(tree.code()).as("%s", tree).isZero();
            assertThat(tree.out()).startsWith("{\"pid\":" + SELF + ",\"kernels\":[{\"name\":\"cli-tree-json\"")
                    .contains("\"domains\":[", "\"name\":\"shop\"", "\"groups\":[", "\"name\":\"napper\"");
        }
    }

    /** Without --pid: exactly one candidate JVM is used; none or several is a usage error (2) listing them. */
    @Test
    void pickOnly_oneIsUsed_noneOrSeveralAreUsageErrorsListingThem() {
        Jvms.Info a = new Jvms.Info(101, "com.example.A", List.of("a#1"), 3);
        Jvms.Info b = new Jvms.Info(202, "com.example.B", List.of("b#1", "c#2"), 0);
        assertThat(Jvms.pickOnly(List.of(a))).isEqualTo(101);
        assertThatThrownBy(() -> Jvms.pickOnly(List.of()))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("no other local JVM runs a tasklife kernel");
        assertThatThrownBy(() -> Jvms.pickOnly(List.of(a, b)))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("2 local JVMs run a tasklife kernel: choose one with --pid")
                .hasMessageContaining("101").hasMessageContaining("com.example.A").hasMessageContaining("b#1,c#2");
    }
}
