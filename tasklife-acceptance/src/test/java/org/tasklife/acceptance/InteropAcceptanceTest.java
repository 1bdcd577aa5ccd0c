package org.tasklife.acceptance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.interop.TaskExecutor;
import org.tasklife.interop.TaskThreadFactory;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * Real JDK components on tasklife, loopback only: the JDK's HTTP server and client with their executors on
 * {@link TaskThreadFactory} and {@link TaskExecutor}, and a {@link ThreadPoolExecutor} built on a
 * {@code TaskThreadFactory}. Their threads are tasks of one group, and a kill of that group ends them.
 */
@ExtendWith(KernelExtension.class)
class InteropAcceptanceTest {
    private static final long LONG_MS = Await.LONG.toMillis();

    /** What runs the HTTP server's handlers. */
    enum ServerThreads {
        THREAD_FACTORY, TASK_EXECUTOR
    }

    /** The server's executor and the group its handlers run in. */
    private record ServerSide(ExecutorService executor, TaskGroup group) {
        static ServerSide open(ServerThreads kind, Kernel kernel) {
            if (kind == ServerThreads.THREAD_FACTORY) {
                TaskThreadFactory f = TaskThreadFactory.builder().name("http-handler").in(kernel.rootDomain());
                return new ServerSide(Executors.newThreadPerTaskExecutor(f), f.group());
            }
            TaskExecutor ex = TaskExecutor.builder().name("http-handler").in(kernel.rootDomain());
            return new ServerSide(ex, ex.group());
        }
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * An HTTP server whose handlers run on tasklife and a client whose executor is a TaskExecutor: requests succeed,
     * each handler runs as a task of the server's group and the client's dependent actions as tasks of its group;
     * a kill of the server's group ends a handler blocked in a tasklife wait, and no task stays live.
     */
    @ParameterizedTest
    @EnumSource(ServerThreads.class)
    void httpServerAndClient_onTasklife_handlersAreTasksAndAGroupKillEndsThem(ServerThreads kind, Kernel kernel)
            throws Exception {
        ServerSide side = ServerSide.open(kind, kernel);
        TaskGroup serverGroup = side.group();
        Set<Long> handlerGroups = ConcurrentHashMap.newKeySet();
        CountDownLatch slowEntered = new CountDownLatch(1);
        CountDownLatch slowKilled = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", exchange -> {
            handlerGroups.add(Tasks.inTask() ? Tasks.currentGroup().id() : -1L);
            respond(exchange, "hello from task " + Tasks.current().id());
        });
        server.createContext("/slow", exchange -> {
            slowEntered.countDown();
            try {
                new Semaphore(0).acquire(); // a tasklife wait: only a kill ends it
            } finally {
                slowKilled.countDown();
            }
        });
        server.setExecutor(side.executor());
        server.start();
        TaskExecutor clientExec = TaskExecutor.builder().name("http-client").in(kernel.rootDomain());
        HttpClient client = HttpClient.newBuilder().executor(clientExec).connectTimeout(Await.LONG).build();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/hello")).timeout(Await.LONG)
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).startsWith("hello from task ");
            }
            assertThat(handlerGroups).containsExactly(serverGroup.id());
            long clientGroup = client.sendAsync(HttpRequest.newBuilder(base.resolve("/hello")).timeout(Await.LONG).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .thenApplyAsync(r -> Tasks.inTask() ? Tasks.currentGroup().id() : -1L, clientExec)
                    .get(LONG_MS, TimeUnit.MILLISECONDS);
            assertThat(clientGroup).isEqualTo(clientExec.group().id());

            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                    HttpRequest.newBuilder(base.resolve("/slow")).timeout(Await.LONG).build(),
                    HttpResponse.BodyHandlers.ofString());
            Fixtures.await(slowEntered);
            Await.until("the slow handler blocked", () -> serverGroup.tasks().stream()
                    .anyMatch(t -> t.name().startsWith("http-handler-") && t.state() == TaskState.BLOCKED));

            assertThat(serverGroup.kill()).isTrue();

            Fixtures.await(slowKilled);
            assertThat(Fixtures.ended(serverGroup)).isEqualTo(ExitStatus.KILLED);
            assertThat(serverGroup.liveTaskCount()).isZero();
            server.stop(0); // closes the connection of the killed exchange: the slow request fails
            assertThat(slow).failsWithin(Await.LONG);
        } finally {
            server.stop(0);
            client.shutdownNow();
            assertThat(client.awaitTermination(Await.LONG)).isTrue();
            clientExec.close();
            side.executor().shutdownNow();
        }
        assertThat(Fixtures.ended(clientExec.group())).isEqualTo(ExitStatus.exited(0));
        KernelExtension.audit(kernel);
    }

    /**
     * A ThreadPoolExecutor on a TaskThreadFactory runs its work in tasks of the factory's group; a kill of the group
     * ends its busy workers (blocked in tasklife waits), which the pool sees die (no replacement can be made); an idle
     * worker swallows the kill's interrupt in the pool's own queue wait and leaves when the pool is shut down.
     */
    @Test
    void threadPoolExecutor_onTaskThreadFactory_workersAreTasksAndAGroupKillEndsThem(Kernel kernel) throws Exception {
        TaskThreadFactory f = TaskThreadFactory.builder().name("tpe").in(kernel.rootDomain());
        TaskGroup g = f.group();
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), f);
        try {
            for (int i = 0; i < 10; i++) {
                assertThat(tpe.submit(() -> Tasks.currentGroup().id()).get(LONG_MS, TimeUnit.MILLISECONDS))
                        .isEqualTo(g.id());
            }
            tpe.prestartAllCoreThreads();
            assertThat(tpe.getPoolSize()).isEqualTo(4);
            assertThat(g.tasks()).filteredOn(t -> t.name().startsWith("tpe-")).hasSize(4);

            AtomicInteger killedInWork = new AtomicInteger();
            for (int i = 0; i < 3; i++) {
                tpe.execute(() -> {
                    try {
                        new Semaphore(0).acquire();
                    } finally {
                        killedInWork.incrementAndGet();
                    }
                });
            }
            Await.until("three workers blocked in the work", () -> g.tasks().stream()
                    .filter(t -> t.name().startsWith("tpe-") && t.state() == TaskState.BLOCKED).count() == 3);

            assertThat(g.kill()).isTrue();

            Await.until("the busy workers died", () -> tpe.getPoolSize() == 1, () -> "pool size " + tpe.getPoolSize());
            assertThat(killedInWork.get()).isEqualTo(3);
            // the dead workers' tasks finish their exit after the pool saw them go; the idle one, killed, stays
            Await.until("only the idle worker left", () -> g.liveTaskCount() == 1, () -> g.tasks().toString());
            assertThat(g.tasks()).singleElement().satisfies(t -> {
                assertThat(t.name()).startsWith("tpe-");
                assertThat(t.isKilled()).isTrue();
            });
        } finally {
            tpe.shutdown();
        }
        assertThat(tpe.awaitTermination(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.KILLED);
        KernelExtension.audit(kernel);
    }
}
