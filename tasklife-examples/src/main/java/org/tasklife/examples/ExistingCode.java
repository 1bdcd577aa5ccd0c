package org.tasklife.examples;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.tasklife.*;
import org.tasklife.interop.*;
import org.tasklife.sync.Semaphore;

/**
 * The README's "Using tasklife with existing code", kept compiling, and run by the build (ExistingCodeTest):
 * an executor, a thread factory for a JDK pool, a foreign blocking call under a kill hook, a deadline, a graceful
 * stop, and a thread-local context carried into tasks. Prints {@code req-42}, {@code fast}, {@code true},
 * {@code pool-1}, {@code Killed(DEADLINE)} and {@code Exited(0)}, one a line.
 */
public final class ExistingCode {
    private ExistingCode() {}

    /** A request's context kept in a thread-local, as a logging MDC, a trace span or a security context is. */
    static final ThreadLocal<String> REQUEST = new ThreadLocal<>();

    /** Runs it. */
    public static void main(String[] args) throws Exception {
try (Kernel kernel = Kernel.builder().spawnDecorator(body -> {      // carries REQUEST into every task
            String request = REQUEST.get();                            // on the spawning thread
            return () -> {                                             // on the task's thread
                REQUEST.set(request);
                try { body.run(); } finally { REQUEST.remove(); }
            };
        }).boot()) {
    Domain app = kernel.createDomain(DomainOptions.named("app"));
    REQUEST.set("req-42");

    // An ExecutorService whose submissions are tasks of one group, and whose shutdownNow() kills
    TaskExecutor jobs = TaskExecutor.builder().name("jobs").in(app);
    System.out.println(jobs.submit(REQUEST::get).get());               // req-42: the decorator carried it
    String first = jobs.invokeAny(List.of(() -> "fast",
            () -> { Tasks.sleep(Duration.ofHours(1)); return "slow"; }));
    System.out.println(first);                                         // fast; the slow one was killed
    jobs.execute(() -> {
        while (true) {
            try { Thread.sleep(10); } catch (InterruptedException swallowed) { } // swallows interrupts...
            Tasks.checkpoint();                                        // ...but reaches a safe point
        }
    });
    jobs.shutdownNow();                                                // kills it (a JDK pool can only interrupt)
    System.out.println(jobs.awaitTermination(5, TimeUnit.SECONDS));    // true

    // A ThreadFactory for a JDK pool (or HttpClient, HttpServer): its threads are tasks of one group
    TaskThreadFactory threads = TaskThreadFactory.builder().name("pool").in(app);
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
    System.out.println(pool.submit(() -> Tasks.current().name()).get()); // pool-1: a task, listed by ps
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
    threads.close();

    // A foreign blocking call made killable by a kill hook, ended by a deadline
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Socket socket = new Socket(listener.getInetAddress(), listener.getLocalPort());
            Socket peer = listener.accept()) {
        TaskGroup reader = app.spawnGroup(SpawnOptions.named("reader").platformThread(true)
                .deadline(Duration.ofMillis(200)), () -> {            // killed 200 ms after its spawn
            InputStream in = socket.getInputStream();
            int one = Tasks.blocking(Unblockers.socket(socket), in::read); // a ready-made unblocker
            int two = Tasks.blocking(socket::close, in::read);             // any AutoCloseable: stmt::cancel
            return one + two;
        });
        peer.getOutputStream().write(1);                               // the first read returns, the second waits
        System.out.println(reader.reap());                             // Killed(DEADLINE): the hook closed the socket
    }

    // A graceful stop: ask, wait up to the grace, and only then kill
    TaskGroup server = app.spawnGroup("server", () -> {
        Semaphore stop = new Semaphore(0);
        Tasks.onTerminate(stop::release);                              // runs as a new task of the group when asked
        Task<?> worker = Tasks.spawnTask("worker", () -> {
            while (!Tasks.terminationRequested()) {                    // a loop that polls
                Tasks.sleep(Duration.ofMillis(10));
            }
            return null;
        });
        stop.acquire();
        worker.join();
        return 0;
    });
    server.terminate(Duration.ofSeconds(5));
    System.out.println(server.reap());                                 // Exited(0): it stopped within the grace
}
    }
}
