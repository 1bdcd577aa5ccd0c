package org.tasklife.cli;

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

/**
 * One {@code tasklife observe} run on a thread of the test, with the page address it printed and an HTTP client for
 * its API. {@link #close()} interrupts the command (as Ctrl-C would end it) and waits for it to return.
 */
final class ObserveRun implements AutoCloseable {
    private static final Pattern PAGE = Pattern.compile("(http://127\\.0\\.0\\.1:(\\d+)/)#token=([A-Za-z0-9_-]+)");
    static final Duration LONG = Duration.ofSeconds(10 * Long.getLong("tasklife.timeoutFactor", 1L));

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger code = new AtomicInteger(-1);
    final Thread command;
    final String printed;
    final URI base;
    final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(LONG).build();

    ObserveRun(String... args) throws InterruptedException {
        String[] all = new String[args.length + 1];
        all[0] = "observe";
        System.arraycopy(args, 0, all, 1, args.length);
        command = new Thread(() -> code.set(Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true))),
                "observe-command");
        command.start();
        try {
            printed = Poll.until("the page address (err: " + err + ")", (int) LONG.toSeconds(), out::toString,
                    s -> PAGE.matcher(s).find() || !command.isAlive());
            Matcher m = PAGE.matcher(printed);
            if (!m.find()) {
                throw new IllegalStateException("observe ended without serving: " + printed + err);
            }
            base = URI.create(m.group(1));
            token = m.group(3);
        } catch (RuntimeException | InterruptedException e) {
            // the constructor failed: stop the command before passing the failure on
            close();
            throw e;
        }
    }

    /** A request to the observer, with the given token (none if null). */
    HttpResponse<String> send(String method, String path, String withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(LONG)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (withToken != null) {
            b.header("X-Tasklife-Token", withToken);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body of GET /api/snapshot, with the token. */
    String snapshot() {
        try {
            return send("GET", "/api/snapshot", token).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        command.interrupt();
        try {
            command.join(LONG.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            http.close();
        }
    }
}
