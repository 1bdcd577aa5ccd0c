package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;

/** `tasklife observe`: the web observer fed over JMX (this JVM's kernel, by its pid), its token, its bind rule. */
class ObserveCommandTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());
    private static final Pattern PAGE = Pattern.compile("(http://127\\.0\\.0\\.1:(\\d+)/)#token=([A-Za-z0-9_-]+)");
    private static final Duration LONG = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(LONG).build();

    private HttpResponse<String> send(URI base, String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(LONG)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("X-Tasklife-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

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
                org.tasklife.Tasks.sleep(Duration.ofHours(1));
                return 0;
            });
            TaskGroup batch = InProcessKernels.sleeper(k.rootDomain(), "batch");
            InProcessKernels.awaitBlocked(k, 3);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread command = new Thread(() -> code.set(Main.run(new String[] {"observe", "--pid", SELF, "--kernel",
                "cli-observe"}, new PrintWriter(out, true), new PrintWriter(err, true))), "observe-command");
            command.start();
            try {
                String printed = Poll.until("the page address", 10, out::toString, s -> PAGE.matcher(s).find());
                assertThat(printed).contains("observing JVM " + SELF + " (kernels cli-observe#", "on 127.0.0.1 only",
                        "needed for every request");
                Matcher m = PAGE.matcher(printed);
                assertThat(m.find()).isTrue();
                URI base = URI.create(m.group(1));
                String token = m.group(3);

                HttpResponse<String> snap = send(base, "GET", "/api/snapshot", token);
                assertThat(snap.statusCode()).isEqualTo(200);
                assertThat(snap.body()).startsWith("{\"pid\":" + SELF + ",\"kernels\":[{\"name\":\"cli-observe\"")
                        .contains("\"name\":\"shop\"", "\"name\":\"web\"", "\"name\":\"handler\"",
                                "\"state\":\"BLOCKED\"");
                assertThat(send(base, "GET", "/api/snapshot", null).statusCode()).isEqualTo(403);
                String kernel = snap.body().replaceFirst("(?s).*?\"instanceId\":(\\d+),.*", "$1");

                HttpResponse<String> noToken = send(base, "POST", "/api/kill-group?kernel=" + kernel + "&id="
                        + web.id(), null);
                assertThat(noToken.statusCode()).isEqualTo(403);
                assertThat(send(base, "POST", "/api/kill-group?kernel=" + kernel + "&id=" + web.id(), "x")
                        .statusCode()).isEqualTo(403);
                assertThat(web.exitStatus()).isEmpty();
                assertThat(k.liveTaskCount()).isEqualTo(3);

                HttpResponse<String> kill = send(base, "POST", "/api/kill-group?kernel=" + kernel + "&id=" + web.id(),
                        token);
                assertThat(kill.statusCode()).as(kill.body()).isEqualTo(200);
                assertThat(kill.body()).contains("\"changed\":true");
                assertThat(web.onExit().get(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                        .isEqualTo(ExitStatus.KILLED);
                assertThat(batch.exitStatus()).isEmpty();
                HttpResponse<String> stop = send(base, "POST", "/api/stop-domain?kernel=" + kernel + "&id=" + shop.id(),
                        token);
                assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
                assertThat(shop.awaitStopped(LONG)).isTrue();
                assertThat(send(base, "POST", "/api/kill-task?kernel=" + kernel + "&id=999999", token).statusCode())
                        .isEqualTo(404);
                batch.kill();
            } finally {
                command.interrupt();
                command.join(LONG.toMillis());
            }
            assertThat(command.isAlive()).isFalse();
            assertThat(code.get()).as("exit code; err: %s", err).isZero();
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
