package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The demo survives what its user does while it holds: a kill of the task it kills next, a kill of a group,
 * a stop of its domain, each sent through the command line. Each step says what it found and goes on; the
 * leak audit stays truthful (OK).
 */
class DemoHoldTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());

    /** Runs the quiet demo; while it holds, runs {@code args} (on kernel 'demo' of this JVM) and waits for {@code done}. */
    private static String demoWhileHolding(Predicate<String> done, String... args) {
        AtomicReference<CliRun> sent = new AtomicReference<>();
        StringWriter out = new StringWriter();
        DemoStory.Hold hold = () -> {
            String[] full = new String[args.length + 4];
            System.arraycopy(args, 0, full, 0, args.length);
            System.arraycopy(new String[] {"--pid", SELF, "--kernel", "demo"}, 0, full, args.length, 4);
            sent.set(CliRun.of(full));
            Poll.until("the effect of " + String.join(" ", args), 20,
                    () -> CliRun.of("ps", "--json", "--pid", SELF, "--kernel", "demo").out(), done);
        };
        int code = new DemoStory(new PrintWriter(out, true), Style.choose(true), true, 700, hold).run();
        assertThat(sent.get()).as("the command sent while holding").isNotNull();
        assertThat(sent.get().code()).as("%s", sent.get()).isZero();
        assertThat(code).as("demo exit; it printed:\n%s", out).isZero();
        assertThat(out.toString()).doesNotContain("FAIL").contains("audit: OK — 0 live tasks, 0 queued waiters, "
                + "717 resources closed exactly once");
        return out.toString();
    }

    /** The user kills writer-1, the task the demo kills next: the demo says it already ended and goes on. */
    @Test
    void hold_userKillsTheNextTask_demoSaysSoAndPasses() {
        String out = demoWhileHolding(j -> !j.contains("\"name\":\"writer-1\""), "kill", "writer-1");
        assertThat(out).contains("'writer-1'): already ended Killed before the demo got to it");
    }

    /** The user kills group 'db' (the mutex holder): the demo still kills writer-1 and skips the mutex check. */
    @Test
    void hold_userKillsTheGroupHoldingTheMutex_demoGoesOn() {
        String out = demoWhileHolding(j -> !j.contains("\"name\":\"db\",\"state\":\"BLOCKED\""), "kill", "db");
        assertThat(out).contains("kill(task ");
    }

    /** The user stops domain 'shop': the kill and the stop steps say it already ended, the audit passes. */
    @Test
    void hold_userStopsTheDomain_demoSaysSoAndPasses() {
        String out = demoWhileHolding(j -> j.contains("\"name\":\"shop\",\"state\":\"STOPPED\""), "stop", "shop");
        assertThat(out).contains("already ended Killed before the demo got to it",
                "stop(shop): the domain was already stopped from outside");
    }
}
