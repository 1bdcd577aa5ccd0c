package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/**
 * The spawn decorator ({@link Kernel.Builder#spawnDecorator}): called on the spawning thread at every spawn, its
 * Runnable runs on the new task's thread around the body; the task's outcome stays the body's; a decorator that
 * fails refuses the spawn and creates nothing (SPEC P3).
 */
class SpawnDecoratorTest {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private Kernel kernel;

    private Kernel boot(SpawnDecorator decorator) {
        kernel = Kernel.builder().name("decorated").jmx(false).spawnDecorator(decorator).boot();
        return kernel;
    }

    @AfterEach
    void closeAndAudit() {
        if (kernel != null) {
            KernelExtension.audit(kernel);
            assertThat(kernel.close(Await.LONG).isClean()).isTrue();
        }
    }

    /** A decorator that logs "tag:decorate", then "tag:before"/"tag:after" around the body, with the thread names. */
    private SpawnDecorator logging(String tag) {
        return body -> {
            events.add(tag + ":decorate@" + Thread.currentThread().getName());
            return () -> {
                events.add(tag + ":before@" + Thread.currentThread().getName());
                try {
                    body.run();
                } finally {
                    events.add(tag + ":after");
                }
            };
        };
    }

    /**
     * The decorator is called at every spawn (group main, task, child group, from host code and from a task), on
     * the spawning thread; its Runnable runs on the new task's thread, before and after the body.
     */
    @Test
    void decorator_everySpawn_decoratesOnSpawnerRunsAroundBodyOnTask() throws Exception {
        boot(logging("d"));
        String host = Thread.currentThread().getName();

        TaskGroup g = kernel.spawnGroup("main", () -> {
            events.add("body:main");
            Task<String> t = Tasks.spawnTask("worker", () -> {
                events.add("body:worker");
                return "w";
            });
            TaskGroup child = Tasks.spawnGroup("child", () -> {
                events.add("body:child");
                return 0;
            });
            child.reap();
            return t.join().equals("w") ? 3 : 1;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));
        String mainThread = "main#" + g.id();
        assertThat(events).filteredOn(e -> e.startsWith("d:decorate")).hasSize(3)
                .startsWith("d:decorate@" + host)
                .endsWith("d:decorate@" + mainThread, "d:decorate@" + mainThread);
        assertThat(events).containsSubsequence("d:decorate@" + host, "d:before@" + mainThread, "body:main",
                "d:decorate@" + mainThread, "d:after");
        List<String> worker = events.stream().filter(e -> e.startsWith("d:before@worker#")).toList();
        assertThat(worker).hasSize(1);
        int w = events.indexOf(worker.get(0));
        assertThat(events.subList(w + 1, w + 3)).containsExactly("body:worker", "d:after");
        assertThat(events).filteredOn(e -> e.startsWith("d:before")).hasSize(3);
        assertThat(events).filteredOn(e -> e.equals("d:after")).hasSize(3);
    }

    /** The value a decorator captures on the spawning thread is the one its Runnable restores on the task's thread. */
    @Test
    void decorator_threadLocalCapturedAtSpawn_visibleInTaskAndCleared() throws Exception {
        ThreadLocal<String> context = new ThreadLocal<>();
        boot(body -> {
            String captured = context.get();
            return () -> {
                context.set(captured);
                try {
                    body.run();
                } finally {
                    context.remove();
                }
            };
        });
        context.set("request-42");
        try {
            TaskGroup g = kernel.spawnGroup("main", () -> {
                String seen = context.get();
                String inWorker = Tasks.spawnTask("worker", context::get).join();
                Tasks.own(() -> events.add("after body: " + context.get())); // closes on this thread, after it
                return seen.equals("request-42") && inWorker.equals("request-42") ? 0 : 1;
            });
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        } finally {
            context.remove();
        }
        assertThat(events).containsExactly("after body: null");
    }

    /** a.andThen(b): a decorates first and b wraps its result, so b's Runnable is outermost (Spring's order). */
    @Test
    void decorator_andThen_secondWrapsFirst() throws Exception {
        boot(logging("a").andThen(logging("b")));

        TaskGroup g = kernel.spawnGroup("main", () -> {
            events.add("body");
            return 0;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(events).extracting(e -> e.replaceAll("@.*", ""))
                .containsExactly("a:decorate", "b:decorate", "b:before", "a:before", "body", "a:after", "b:after");
    }

    /** SPEC P3: a decorator that throws refuses the spawn with SpawnRefusedException (its cause); nothing is created. */
    @Test
    void decorator_throws_spawnRefusedNothingCreated() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");
        boot(body -> {
            if (calls.incrementAndGet() == 2) {
                throw boom;
            }
            return body;
        });
        TaskGroup g = kernel.spawnGroup("main", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Await.state(kernel.findTask(g.id()).orElseThrow(), TaskState.BLOCKED);
        long groups = kernel.rootDomain().groupCount();

        assertThatThrownBy(() -> kernel.spawnGroup("refused", () -> 0)).isInstanceOf(SpawnRefusedException.class)
                .hasMessageContaining("spawn decorator").hasMessageContaining("'refused'").hasCause(boom);

        assertThat(kernel.liveTaskCount()).isEqualTo(1);
        assertThat(kernel.rootDomain().groupCount()).isEqualTo(groups);
        assertThat(g.tasks()).hasSize(1);
        TaskGroup next = kernel.spawnGroup("next", () -> 5); // the kernel spawns on
        assertThat(next.reap()).isEqualTo(ExitStatus.exited(5));
        killAndReap(g);
    }

    /** A decorator that returns null refuses the spawn too: nothing would run the body. */
    @Test
    void decorator_returnsNull_spawnRefused() {
        boot(body -> null);
        long groups = kernel.rootDomain().groupCount();

        assertThatThrownBy(() -> kernel.spawnGroup("nothing", () -> 0)).isInstanceOf(SpawnRefusedException.class)
                .hasMessageContaining("spawn decorator").hasMessageContaining("null");

        assertThat(kernel.liveTaskCount()).isZero();
        assertThat(kernel.rootDomain().groupCount()).isEqualTo(groups);
    }

    /** SPEC E5: the body's own failure is the task's, even if the decorator swallows it; the decorator sees it. */
    @Test
    void decorator_bodyThrowsChecked_taskFailsWithItDecoratorSawIt() throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        boot(body -> () -> {
            try {
                body.run();
            } catch (Throwable t) {
                seen.set(t); // and swallowed
            }
        });
        IOException failure = new IOException("disk");

        TaskGroup g = kernel.spawnGroup("main", () -> {
            throw failure;
        });

        assertThat(g.reap()).isEqualTo(new ExitStatus.Failed(failure));
        assertThat(seen.get()).isSameAs(failure);
    }

    /** A decorator whose Runnable never runs the body fails the task: its body did not run. */
    @Test
    void decorator_neverRunsBody_taskFails() throws Exception {
        AtomicInteger bodies = new AtomicInteger();
        boot(body -> () -> {});

        TaskGroup g = kernel.spawnGroup("main", () -> bodies.incrementAndGet());

        ExitStatus s = g.reap();
        assertThat(s).isInstanceOf(ExitStatus.Failed.class);
        assertThat(((ExitStatus.Failed) s).cause()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not run");
        assertThat(bodies).hasValue(0);
    }

    /** The body runs once, on the task's own thread: a second run, or a run on another thread, is refused. */
    @Test
    void decorator_runsBodyTwiceOrElsewhere_refused() throws Exception {
        CompletableFuture<Throwable> twice = new CompletableFuture<>();
        CompletableFuture<Throwable> elsewhere = new CompletableFuture<>();
        AtomicInteger bodies = new AtomicInteger();
        boot(body -> () -> {
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    body.run();
                    elsewhere.complete(null);
                } catch (Throwable t) {
                    elsewhere.complete(t);
                }
            });
            try {
                other.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            body.run();
            try {
                body.run();
                twice.complete(null);
            } catch (Throwable t) {
                twice.complete(t);
            }
        });

        TaskGroup g = kernel.spawnGroup("main", () -> bodies.incrementAndGet());

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(1));
        assertThat(bodies).hasValue(1);
        assertThat(get(elsewhere)).isInstanceOf(IllegalStateException.class).hasMessageContaining("thread");
        assertThat(get(twice)).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");
    }

    /** SPEC K2, K5: a kill of the body unwinds through the decorator's finally; the task ends Killed. */
    @Test
    void decorator_bodyKilled_decoratorFinallyRunsTaskKilled() throws Exception {
        boot(logging("d"));
        TaskGroup g = kernel.spawnGroup("main", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Task<?> main = kernel.findTask(g.id()).orElseThrow();
        Await.state(main, TaskState.BLOCKED);

        g.kill();

        assertThat(ended(main)).isEqualTo(ExitStatus.KILLED);
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
        assertThat(events).endsWith("d:after");
    }

    /** Joiners get the body's result through the decorator, from tasks spawned into a group by host code too. */
    @Test
    void decorator_taskSpawnedByHost_joinGetsBodyResult() throws Exception {
        boot(logging("d"));
        TaskGroup g = kernel.spawnGroup("main", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        Task<String> t = g.spawnTask("from-host", () -> "result");

        Object r = attempt(g, "joiner", t::join).get();

        assertThat(r).isEqualTo("result");
        assertThat(events).contains("d:decorate@" + Thread.currentThread().getName());
        killAndReap(g);
    }

    /** Bad input: a null decorator is refused with an NPE naming it. */
    @Test
    void spawnDecorator_null_throwsNpeNamingIt() {
        assertThatThrownBy(() -> Kernel.builder().spawnDecorator(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("decorator");
        assertThatThrownBy(() -> logging("a").andThen(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("after");
    }
}
