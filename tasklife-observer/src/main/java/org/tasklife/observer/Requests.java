package org.tasklife.observer;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The observer's HTTP handler: the page's static files and the JSON API, behind the Host and token checks. */
final class Requests implements HttpHandler {
    /*
     * Implementation notes
     *
     * Overview: one handler for every path. Order of checks (Observer's O2, O3): Host (and Origin, when sent)
     * → path → method → token → parameters → the source. A refusal at any step answers before the source is
     * touched. The token is compared in constant time.
     *
     * Known limits: the request body is never read (the API takes its parameters in the query string).
     */

    /** The header that carries the token. */
    static final String TOKEN_HEADER = "X-Tasklife-Token";

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/index.html", "index.html",
            "/observer.js", "observer.js", "/observer.css", "observer.css");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final ObserverSource source;
    private final byte[] token;
    private final Set<String> hosts;   // the Host values accepted: 127.0.0.1:PORT, localhost:PORT
    private final Set<String> origins; // the Origin values accepted: http:// + hosts

    Requests(ObserverSource source, String token, int port) {
        this.source = source;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.hosts = Set.of(ObserverOptions.LOOPBACK + ":" + port, "localhost:" + port);
        this.origins = Set.of("http://" + ObserverOptions.LOOPBACK + ":" + port, "http://localhost:" + port);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            drain(ex);
            Headers h = ex.getResponseHeaders();
            h.set("Cache-Control", "no-store");
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("X-Frame-Options", "DENY");
            String host = ex.getRequestHeaders().getFirst("Host");
            if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
                send(ex, 403, error("Host '" + host + "' refused: the observer answers only to " + String.join(" or ",
                        hosts.stream().sorted().toList())));
                return;
            }
            String origin = ex.getRequestHeaders().getFirst("Origin");
            if (origin != null && !origins.contains(origin.toLowerCase(Locale.ROOT))) {
                send(ex, 403, error("Origin '" + origin + "' refused: only the observer's own page may call it"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (FILES.containsKey(path)) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    h.set("Allow", "GET, HEAD");
                    send(ex, 405, error(method + " " + path + ": this path accepts GET only"));
                    return;
                }
                file(ex, FILES.get(path));
                return;
            }
            switch (path) {
                case "/api/snapshot" -> api(ex, "GET", () -> ViewJson.of(source.pid(), source.views()));
                case "/api/kill-task" -> api(ex, "POST", () -> action(ex, "kill-task"));
                case "/api/kill-group" -> api(ex, "POST", () -> action(ex, "kill-group"));
                case "/api/stop-domain" -> api(ex, "POST", () -> action(ex, "stop-domain"));
                default -> send(ex, 404, error("no such path: " + path));
            }
        }
    }

    private interface Call {
        String run();
    }

    private void api(HttpExchange ex, String method, Call call) throws IOException {
        if (!ex.getRequestMethod().equals(method)) {
            ex.getResponseHeaders().set("Allow", method);
            send(ex, 405, error(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + ": this path accepts "
                    + method + " only"));
            return;
        }
        String given = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.US_ASCII))) {
            send(ex, 403, error((given == null ? "missing" : "wrong") + " token: send header " + TOKEN_HEADER
                    + " with the token printed where the observer was started; nothing was changed"));
            return;
        }
        String body;
        try {
            body = call.run();
        } catch (BadRequest e) {
            send(ex, 400, error(e.getMessage()));
            return;
        } catch (IllegalArgumentException e) {
            send(ex, 404, error(e.getMessage()));
            return;
        } catch (RuntimeException e) {
            send(ex, 503, error(e.getMessage() == null ? e.toString() : e.getMessage()));
            return;
        }
        send(ex, 200, body);
    }

    private String action(HttpExchange ex, String what) {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        long kernel = number(q, "kernel");
        long id = number(q, "id");
        boolean changed;
        String message;
        switch (what) {
            case "kill-task" -> {
                changed = source.killTask(kernel, id);
                message = changed ? "killed task " + id : "task " + id + " was already killed or ending";
            }
            case "kill-group" -> {
                changed = source.killGroup(kernel, id);
                message = changed ? "killed group " + id : "group " + id + " was already ending";
            }
            case "stop-domain" -> {
                long status = q.containsKey("status") ? number(q, "status") : 0;
                if (status > Integer.MAX_VALUE) {
                    throw new BadRequest("status: " + status + " is not an int exit code");
                }
                changed = source.stopDomain(kernel, id, (int) status);
                message = changed ? "stopping domain " + id + " with Exited(" + status + ")"
                        : "domain " + id + " was already stopping";
            }
            default -> throw new IllegalStateException(what);
        }
        StringBuilder sb = new StringBuilder("{\"changed\":").append(changed).append(",\"message\":");
        return string(sb, message).append('}').toString();
    }

    private static long number(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            throw new BadRequest(name + ": missing (a number)");
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new BadRequest(name + ": " + n + " is negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(name + ": '" + v + "' is not a number");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private void file(HttpExchange ex, String name) throws IOException {
        byte[] bytes;
        try (InputStream in = Requests.class.getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 500, error("resource " + name + " is missing from the observer's jar"));
                return;
            }
            bytes = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Content-Security-Policy", CSP);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
        } else {
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static String error(String message) {
        return string(new StringBuilder("{\"error\":"), message).append('}').toString();
    }

    private static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"');
    }

    /** A bad parameter of an API request: answered 400. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
