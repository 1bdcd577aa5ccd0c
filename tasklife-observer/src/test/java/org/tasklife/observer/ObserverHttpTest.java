package org.tasklife.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.ExitStatus;
import org.tasklife.TaskInfo;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/** The observer's HTTP API through java.net.http.HttpClient: JSON shape, token, methods, Host/Origin, loopback. */
class ObserverHttpTest {
    private final Workload w = new Workload();
    private final Observer observer = Observer.start(w.kernel);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Await.LONG).build();

    @AfterEach
    void close() {
        observer.close();
        w.close();
        http.close();
    }

    private HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(observer.uri().resolve(path)).timeout(Await.LONG)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("X-Tasklife-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private TaskInfo row(long taskId) {
        return w.kernel.snapshot().tasks().stream().filter(t -> t.id() == taskId).findFirst().orElseThrow();
    }

    /** The snapshot is the `tree --json` shape: pid, the kernel's counters, its domains, groups and tasks. */
    @Test
    void snapshot_withToken_isTheTreeJsonOfTheWorkload() throws Exception {
        HttpResponse<String> r = send("GET", "/api/snapshot", observer.token());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        String json = r.body();
        assertThat(json).startsWith("{\"pid\":" + ProcessHandle.current().pid() + ",\"kernels\":[{\"name\":\"obs\","
                + "\"instanceId\":1,");
        assertThat(json).contains("\"liveTasks\":5,", "\"domains\":[", "\"groups\":[", "\"tasks\":[");
        assertThat(json).containsPattern("\\{\"id\":" + w.shop.id() + ",\"parentId\":\\d+,\"name\":\"shop\","
                + "\"state\":\"RUNNING\",\"status\":\"\",\"liveTasks\":3,\"groups\":1\\}");
        assertThat(json).containsPattern("\\{\"id\":" + w.web.id() + ",\"parentId\":" + w.shop.id() + ",\"domainId\":"
                + w.shop.id() + ",\"domain\":\"shop\",\"name\":\"web\",\"state\":\"ALIVE\",");
        assertThat(json).containsPattern("\\{\"id\":" + w.handler2.id() + ",\"groupId\":" + w.web.id()
                + ",\"parentGroupId\":\\d+,\"domainId\":" + w.shop.id() + ",\"domain\":\"shop\",\"name\":\"handler-2\","
                + "\"state\":\"BLOCKED\",\"waitChannel\":\"join\\(task " + w.handler1.id() + "\\)\",\"killed\":false,"
                + "\"cpuNanos\":\\d+,\"ageNanos\":\\d+,\"ownedResources\":0\\}");
        assertThat(json).contains("\"name\":\"cruncher\",\"state\":\"BLOCKED\"");
    }

    /** Without the token, or with a wrong one, every API request is 403 and nothing changes. */
    @Test
    void api_withoutOrWithWrongToken_403AndNothingChanges() throws Exception {
        long h1 = w.handler1.id();
        for (String token : new String[] {null, "", "wrong", observer.token() + "x", observer.token().toUpperCase()}) {
            assertThat(send("GET", "/api/snapshot", token).statusCode()).as("snapshot, token %s", token).isEqualTo(403);
            HttpResponse<String> kill = send("POST", "/api/kill-task?kernel=1&id=" + h1, token);
            assertThat(kill.statusCode()).as("kill-task, token %s", token).isEqualTo(403);
            assertThat(kill.body()).contains("token", "nothing was changed");
            assertThat(send("POST", "/api/kill-group?kernel=1&id=" + w.web.id(), token).statusCode()).isEqualTo(403);
            assertThat(send("POST", "/api/stop-domain?kernel=1&id=" + w.shop.id(), token).statusCode()).isEqualTo(403);
        }

        assertThat(row(h1).killed()).isFalse();
        assertThat(w.handler1.isKilled()).isFalse();
        assertThat(w.web.exitStatus()).isEmpty();
        assertThat(w.shop.status()).isEmpty();
        assertThat(w.kernel.liveTaskCount()).isEqualTo(5);
    }

    /** The actions accept POST only: a GET with the right token is 405 and kills nothing. */
    @Test
    void action_getWithToken_405AndNothingChanges() throws Exception {
        HttpResponse<String> r = send("GET", "/api/kill-task?kernel=1&id=" + w.handler1.id(), observer.token());

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertThat(send("PUT", "/api/snapshot", observer.token()).statusCode()).isEqualTo(405);
        assertThat(w.handler1.isKilled()).isFalse();
        assertThat(w.kernel.liveTaskCount()).isEqualTo(5);
    }

    /** With the token, kill-task kills that task (once: a second kill reports it already ending or gone). */
    @Test
    void killTask_withToken_killsTheTask() throws Exception {
        HttpResponse<String> r = send("POST", "/api/kill-task?kernel=1&id=" + w.handler1.id(), observer.token());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"changed\":true,\"message\":\"killed task " + w.handler1.id() + "\"}");
        assertThat(Fixtures.ended(w.handler1)).isInstanceOf(ExitStatus.Killed.class);
        HttpResponse<String> again = send("POST", "/api/kill-task?kernel=1&id=" + w.handler1.id(), observer.token());
        assertThat(again.statusCode()).isIn(200, 404);
        assertThat(again.body()).doesNotContain("\"changed\":true");
        assertThat(w.cruncher.isKilled()).isFalse();
    }

    /** With the token, kill-group ends the group and stop-domain stops the domain; other work goes on. */
    @Test
    void killGroupAndStopDomain_withToken_act() throws Exception {
        HttpResponse<String> kill = send("POST", "/api/kill-group?kernel=1&id=" + w.batch.id(), observer.token());
        assertThat(kill.statusCode()).isEqualTo(200);
        assertThat(kill.body()).contains("\"changed\":true");
        assertThat(Fixtures.ended(w.batch)).isInstanceOf(ExitStatus.Killed.class);
        assertThat(w.web.exitStatus()).isEmpty();

        HttpResponse<String> stop = send("POST", "/api/stop-domain?kernel=1&id=" + w.shop.id() + "&status=3",
                observer.token());
        assertThat(stop.statusCode()).isEqualTo(200);
        assertThat(stop.body()).contains("\"changed\":true", "Exited(3)");
        assertThat(w.shop.awaitStopped(Await.LONG)).isTrue();
        assertThat(w.shop.status()).hasValue(new ExitStatus.Exited(3));
    }

    /** Unknown targets are 404, bad parameters 400, the root domain is refused; each names what is wrong. */
    @Test
    void action_unknownOrBadTarget_404Or400AndNothingChanges() throws Exception {
        String t = observer.token();
        HttpResponse<String> noTask = send("POST", "/api/kill-task?kernel=1&id=999999", t);
        assertThat(noTask.statusCode()).isEqualTo(404);
        assertThat(noTask.body()).contains("no live task 999999");
        assertThat(send("POST", "/api/kill-task?kernel=2&id=" + w.handler1.id(), t).body()).contains("no kernel 2");
        HttpResponse<String> root = send("POST", "/api/stop-domain?kernel=1&id=" + w.kernel.rootDomain().id(), t);
        assertThat(root.statusCode()).isEqualTo(404);
        assertThat(root.body()).contains("root domain");
        HttpResponse<String> bad = send("POST", "/api/kill-task?kernel=1&id=abc", t);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("id: 'abc' is not a number");
        assertThat(send("POST", "/api/kill-group?kernel=1", t).body()).contains("id: missing");
        assertThat(send("GET", "/nothing-here", t).statusCode()).isEqualTo(404);
        assertThat(w.kernel.liveTaskCount()).isEqualTo(5);
    }

    /** A request whose Host is not 127.0.0.1:PORT or localhost:PORT (DNS rebinding) is 403 and kills nothing. */
    @Test
    void request_foreignHost_403AndNothingChanges() throws Exception {
        String kill = "/api/kill-task?kernel=1&id=" + w.handler1.id();
        for (String host : new String[] {"evil.example:" + observer.port(), "127.0.0.1", "127.0.0.1:1",
            "localhost.evil.example:" + observer.port()}) {
            String response = raw("POST " + kill + " HTTP/1.1\r\nHost: " + host + "\r\nX-Tasklife-Token: "
                    + observer.token() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertThat(response).as("Host %s", host).startsWith("HTTP/1.1 403 ").contains("Host '" + host + "' refused");
        }
        String ok = raw("GET /api/snapshot HTTP/1.1\r\nHost: localhost:" + observer.port() + "\r\nX-Tasklife-Token: "
                + observer.token() + "\r\nConnection: close\r\n\r\n");
        assertThat(ok).startsWith("HTTP/1.1 200 ");
        assertThat(w.handler1.isKilled()).isFalse();
    }

    /** A request from another site's page (its Origin) is 403 even with the token, and kills nothing. */
    @Test
    void request_foreignOrigin_403AndNothingChanges() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(observer.uri().resolve("/api/kill-task?kernel=1&id=" + w.handler1.id()))
                .timeout(Await.LONG).header("X-Tasklife-Token", observer.token()).header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.noBody()).build();

        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("Origin 'http://evil.example' refused");
        assertThat(w.handler1.isKilled()).isFalse();
    }

    /** The page is served with a strict CSP and no data in it; scripts and styles come from the observer only. */
    @Test
    void page_get_servesHtmlJsCssWithCsp() throws Exception {
        HttpResponse<String> page = send("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
        assertThat(page.body()).contains("<script src=\"observer.js\"", "id=\"filter\"").doesNotContain("handler-1");
        assertThat(send("GET", "/observer.js", null).body()).contains("X-Tasklife-Token");
        assertThat(send("GET", "/observer.css", null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/", observer.token()).statusCode()).isEqualTo(405);
    }

    /** The observer listens on 127.0.0.1 only; the page address carries the token in its fragment. */
    @Test
    void start_default_listensOnLoopbackOnly() throws Exception {
        assertThat(observer.uri()).isEqualTo(URI.create("http://127.0.0.1:" + observer.port() + "/"));
        assertThat(observer.pageUri().toString()).isEqualTo(observer.uri() + "#token=" + observer.token());
        assertThat(observer.token()).matches("[A-Za-z0-9_-]{43}");
        // Another loopback address of this machine (Linux routes all of 127/8 to lo): nothing listens there,
        // which a wildcard (0.0.0.0) bind would not give.
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.2", observer.port()), 5_000);
            }
        }).isInstanceOf(ConnectException.class);
        try (ServerSocket beside = new ServerSocket()) {
            beside.bind(new InetSocketAddress("127.0.0.2", observer.port()));
        }
        try (Observer other = Observer.start(w.kernel)) {
            assertThat(other.token()).isNotEqualTo(observer.token());
            assertThat(other.port()).isNotEqualTo(observer.port());
        }
    }

    /** Another bind address is refused with the rule in the message; a port outside 0..65535 too. */
    @Test
    void bindAddress_notLoopback_refused() {
        assertThatThrownBy(() -> ObserverOptions.defaults().bindAddress("0.0.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bind address '0.0.0.0' refused: the observer listens on 127.0.0.1 (loopback) only, since "
                        + "its page can kill tasks");
        assertThatThrownBy(() -> ObserverOptions.defaults().bindAddress("192.168.1.2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
        assertThat(ObserverOptions.defaults().bindAddress("localhost").bindAddress()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> ObserverOptions.defaults().port(70_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port: 70000");
    }

    /** A taken port fails start with the address in the message; close releases the port. */
    @Test
    void start_takenPort_failsAndCloseReleasesIt() throws Exception {
        int port = observer.port();
        assertThatThrownBy(() -> Observer.start(w.kernel, ObserverOptions.defaults().port(port)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("127.0.0.1:" + port);
        observer.close();
        observer.close(); // idempotent
        assertThatThrownBy(() -> send("GET", "/", null)).isInstanceOf(IOException.class);
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", observer.port())) {
            s.setSoTimeout((int) Await.LONG.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
