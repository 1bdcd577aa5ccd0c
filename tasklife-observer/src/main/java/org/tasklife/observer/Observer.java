package org.tasklife.observer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.tasklife.Kernel;

/**
 * A running web observer: a live page of kernels' domains, groups and tasks (state, wait channel, owner, CPU,
 * age), polled about once a second and updated in place, with a text filter, and buttons that kill a task or a
 * group and stop a domain. The tasklife counterpart of Erlang's observer.
 *
 * <pre>{@code
 * try (Observer o = Observer.start(kernel)) {
 *     System.out.println("observe at " + o.pageUri()); // http://127.0.0.1:PORT/#token=...
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Security.</b> It listens on {@code 127.0.0.1} only. Each observer draws a random token (256 bits) when it
 * starts; the page gets it only through {@link #pageUri()} (in the fragment, which a browser never sends) and
 * hands it back in a header. Every request to the JSON API without that token, or with another, is answered
 * {@code 403} and changes nothing; the actions accept {@code POST} only. A request whose {@code Host} header is
 * not {@code 127.0.0.1:PORT} or {@code localhost:PORT}, or whose {@code Origin} is another site, is refused with
 * {@code 403} (a DNS-rebinding page cannot reach it). Whoever can read the console can act: print the page
 * address only where the kernel's owner reads it.
 *
 * <p>The HTTP API (all JSON, all with header {@code X-Tasklife-Token}):
 * <ul>
 * <li>{@code GET /api/snapshot}: the views of the kernels, in the shape of {@code tasklife tree --json}
 *     ({@link ViewJson});</li>
 * <li>{@code POST /api/kill-task?kernel=K&id=T}, {@code POST /api/kill-group?kernel=K&id=G},
 *     {@code POST /api/stop-domain?kernel=K&id=D[&status=N]}: {@code 200 {"changed": true|false, "message": ..}};
 *     {@code 404} for an unknown kernel, task, group or domain; {@code 400} for a bad parameter.</li>
 * </ul>
 */
public final class Observer implements AutoCloseable {
    /*
     * Implementation notes
     *
     * Overview: the JDK's com.sun.net.httpserver on 127.0.0.1, two daemon threads serving requests (Requests);
     * the page is three static resources (index.html, observer.js, observer.css) with a strict
     * Content-Security-Policy, which poll GET /api/snapshot and POST the actions. The source is read on the
     * request's thread: host code for an in-process kernel, a JMX call for a remote one. No kernel lock is
     * held by anything here.
     *
     * Invariants:
     *   O1 the server is bound to 127.0.0.1 before the observer is returned; nothing else is ever bound.
     *   O2 every /api request passes the Host check, then the token check, before the source is touched.
     *   O3 an action changes the kernel only for a POST whose token matches; any refusal leaves it as it was.
     *
     * Known limits: the token travels in clear over loopback (no TLS): a local user able to sniff loopback
     * traffic (root) can read it. close() stops the server at once; a poll in flight gets a broken connection.
     */

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final URI uri;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Observer(HttpServer server, ExecutorService executor, String token, URI uri) {
        this.server = server;
        this.executor = executor;
        this.token = token;
        this.uri = uri;
    }

    /**
     * Starts an observer of a kernel of this JVM on a free loopback port.
     *
     * @param kernel the kernel to show
     * @return the running observer; close it to stop serving
     * @throws UncheckedIOException if the server cannot listen
     * @throws NullPointerException if {@code kernel} is null
     */
    public static Observer start(Kernel kernel) {
        return start(ObserverSource.of(kernel), ObserverOptions.defaults());
    }

    /**
     * Starts an observer of a kernel of this JVM.
     *
     * @param kernel the kernel to show
     * @param options where to listen
     * @return the running observer; close it to stop serving
     * @throws UncheckedIOException if the server cannot listen (the port is taken, say)
     * @throws NullPointerException if an argument is null
     */
    public static Observer start(Kernel kernel, ObserverOptions options) {
        return start(ObserverSource.of(kernel), options);
    }

    /**
     * Starts an observer of a source: kernels of this JVM ({@link ObserverSource#of(Kernel...)}) or of another
     * one.
     *
     * @param source what to show and act on
     * @param options where to listen
     * @return the running observer; close it to stop serving
     * @throws UncheckedIOException if the server cannot listen (the port is taken, say); the message names the
     *     address
     * @throws NullPointerException if an argument is null
     */
    public static Observer start(ObserverSource source, ObserverOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        int n = SERVERS.incrementAndGet();
        HttpServer server;
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(ObserverOptions.LOOPBACK), options.port());
            server = HttpServer.create(address, 0); // O1
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + ObserverOptions.LOOPBACK + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tasklife-observer-" + n + "-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int port = server.getAddress().getPort();
        server.createContext("/", new Requests(source, token, port));
        server.setExecutor(executor);
        server.start();
        URI uri = URI.create("http://" + ObserverOptions.LOOPBACK + ":" + port + "/");
        return new Observer(server, executor, token, uri);
    }

    /**
     * {@return the address of the page without its token: {@code http://127.0.0.1:PORT/}}
     */
    public URI uri() {
        return uri;
    }

    /**
     * {@return the address to open in a browser: the page, with the token in its fragment
     * ({@code http://127.0.0.1:PORT/#token=...})} Print it only where the kernel's owner reads it.
     */
    public URI pageUri() {
        return URI.create(uri + "#token=" + token);
    }

    /**
     * {@return this run's token: the value of header {@code X-Tasklife-Token} that every API request needs}
     */
    public String token() {
        return token;
    }

    /**
     * {@return the port the observer listens on}
     */
    public int port() {
        return uri.getPort();
    }

    /**
     * Stops serving: the port is released and the observer's threads end. Idempotent. The kernels are not
     * touched.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "Observer[" + uri + (closed.get() ? ", closed" : "") + "]";
    }
}
