package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/** `tasklife observe`: the web observer fed over JMX (this JVM's kernel, by its pid), its token, its bind rule. */
class ObserveCommandTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());

    /**
     * observe prints the page address with its token; the API shows the kernel as `tree --json` does, refuses a
     * kill without the token (nothing changes), and kills a group and stops a domain with it, over JMX.
     */
    @Test
    void observe_thisJvm_servesTheKernelAndActsOnlyWithTheToken() throws Exception {
        try (Kernel k = Kernel.builder().name("cli-observe").boot()) {
            Domain shop = k.createDomain("shop");
            TaskGroup web = InProcessKernels.sleeper(shop, "web");
            web.spawnTask("handler", () -> {
                Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            TaskGroup batch = InProcessKernels.sleeper(k.rootDomain(), "batch");
            InProcessKernels.awaitBlocked(k, 3);
            ObserveRun run = new ObserveRun("--pid", SELF, "--kernel", "cli-observe");
            try (run) {
                assertThat(run.printed).contains("observing JVM " + SELF + " (kernels cli-observe#",
                        "on 127.0.0.1 only", "needed for every request");
                String snap = run.snapshot();
                assertThat(snap).startsWith("{\"pid\":" + SELF + ",\"kernels\":[{\"name\":\"cli-observe\"")
                        .contains("\"name\":\"shop\"", "\"name\":\"web\"", "\"name\":\"handler\"",
                                "\"state\":\"BLOCKED\"");
                assertThat(run.send("GET", "/api/snapshot", null).statusCode()).isEqualTo(403);
                String kernel = snap.replaceFirst("(?s).*?\"instanceId\":(\\d+),.*", "$1");
                String killWeb = "/api/kill-group?kernel=" + kernel + "&id=" + web.id();

                assertThat(run.send("POST", killWeb, null).statusCode()).isEqualTo(403);
                assertThat(run.send("POST", killWeb, "x").statusCode()).isEqualTo(403);
                assertThat(web.exitStatus()).isEmpty();
                assertThat(k.liveTaskCount()).isEqualTo(3);

                HttpResponse<String> kill = run.send("POST", killWeb, run.token);
                assertThat(kill.statusCode()).as(kill.body()).isEqualTo(200);
                assertThat(kill.body()).contains("\"changed\":true");
                assertThat(web.onExit().get(ObserveRun.LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
                assertThat(batch.exitStatus()).isEmpty();
                HttpResponse<String> stop = run.send("POST", "/api/stop-domain?kernel=" + kernel + "&id=" + shop.id(),
                        run.token);
                assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
                assertThat(shop.awaitStopped(ObserveRun.LONG)).isTrue();
                assertThat(run.send("POST", "/api/kill-task?kernel=" + kernel + "&id=999999", run.token).statusCode())
                        .isEqualTo(404);
                batch.kill();
            }
            assertThat(run.command.isAlive()).isFalse();
            assertThat(run.code.get()).as("exit code; err: %s", run.err).isZero();
        }
    }

    /** Another bind address than loopback is a usage error (2) naming the rule; nothing is served. */
    @Test
    void observe_bindNotLoopback_usageError() {
        CliRun r = CliRun.of("observe", "--bind", "0.0.0.0", "--pid", SELF);

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("bind address '0.0.0.0' refused", "127.0.0.1 (loopback) only");
        assertThat(r.out()).doesNotContain("http://");
    }
}
