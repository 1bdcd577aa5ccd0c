package org.tasklife.interop;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * The same scenario on {@link TaskExecutor} (on a domain, and on a group the caller gives) and on the JDK's
 * {@code Executors.newVirtualThreadPerTaskExecutor()}, for every part of the {@code ExecutorService} contract
 * where the two must agree: results, failures wrapped in {@code ExecutionException}, cancellation, {@code state()},
 * {@code invokeAll} order and timeout, {@code invokeAny}, shutdown and termination, {@code close()}, rejection after
 * shutdown and {@code null} arguments.
 */
@ExtendWith(KernelExtension.class)
class TaskExecutorDifferentialTest {
    private static final long LONG_MS = Await.LONG.toMillis();

    /** The executors compared. */
    enum Kind {
        TASKLIFE_ON_DOMAIN {
            @Override
            ExecutorService open(Kernel kernel, List<AutoCloseable> cleanup) {
                return TaskExecutor.in(kernel.rootDomain());
            }
        },
        TASKLIFE_ON_GROUP {
            @Override
            ExecutorService open(Kernel kernel, List<AutoCloseable> cleanup) {
                TaskGroup home = Fixtures.idleGroup(kernel, "home");
                cleanup.add(() -> Fixtures.killAndReap(home));
                return TaskExecutor.in(home);
            }
        },
        JDK_VIRTUAL {
            @Override
            ExecutorService open(Kernel kernel, List<AutoCloseable> cleanup) {
                return Executors.newVirtualThreadPerTaskExecutor();
            }
        };

        abstract ExecutorService open(Kernel kernel, List<AutoCloseable> cleanup);
    }

    /** A scenario run on one executor. */
    interface Scenario {
        void run(ExecutorService ex) throws Exception;
    }

    /** Runs {@code s} on a fresh executor of {@code kind}, then ends it and checks it terminates. */
    private static void on(Kind kind, Kernel kernel, Scenario s) throws Exception {
        List<AutoCloseable> cleanup = new ArrayList<>();
        ExecutorService ex = kind.open(kernel, cleanup);
        try {
            s.run(ex);
        } finally {
            ex.shutdownNow();
            assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).as("terminated after shutdownNow").isTrue();
            for (AutoCloseable c : cleanup) {
                c.close();
            }
        }
    }

    /** A callable that waits for {@code gate} (interruptibly) and then returns {@code value}. */
    private static <T> Callable<T> after(CountDownLatch gate, T value) {
        return () -> {
            gate.await();
            return value;
        };
    }

    // ---- results and failures ----

    /** submit(Callable) gives the callable's result; submit(Runnable) null; submit(Runnable, v) v; execute runs. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void submit_eachForm_givesTheResult(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            assertThat(Fixtures.get(ex.submit(() -> 42))).isEqualTo(42);
            AtomicReference<String> ran = new AtomicReference<>();
            assertThat(Fixtures.get(ex.submit(() -> ran.set("runnable")))).isNull();
            assertThat(ran.get()).isEqualTo("runnable");
            assertThat(Fixtures.get(ex.submit(() -> ran.set("with result"), "v"))).isEqualTo("v");
            assertThat(ran.get()).isEqualTo("with result");
            CountDownLatch executed = new CountDownLatch(1);
            ex.execute(executed::countDown);
            Fixtures.await(executed);
        });
    }

    /** A submission that throws: get wraps the exception in ExecutionException; state FAILED; exceptionNow gives it. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void submit_throwing_getThrowsExecutionExceptionWithTheCause(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<Object> f = ex.submit(() -> {
                throw boom;
            });
            assertThatThrownBy(() -> Fixtures.get(f)).isInstanceOf(ExecutionException.class).hasCause(boom);
            assertThat(f.state()).isEqualTo(Future.State.FAILED);
            assertThat(f.exceptionNow()).isSameAs(boom);
            assertThat(f.isDone()).isTrue();
            assertThat(f.isCancelled()).isFalse();
            assertThatThrownBy(f::resultNow).isInstanceOf(IllegalStateException.class);
        });
    }

    /** state() is RUNNING while the submission runs, SUCCESS after; resultNow gives the result; get with a timeout. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void future_lifecycle_stateRunningThenSuccess(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch gate = new CountDownLatch(1);
            Future<String> f = ex.submit(after(gate, "done"));
            assertThat(f.state()).isEqualTo(Future.State.RUNNING);
            assertThat(f.isDone()).isFalse();
            assertThatThrownBy(() -> f.get(1, MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThatThrownBy(f::resultNow).isInstanceOf(IllegalStateException.class);
            gate.countDown();
            assertThat(f.get(LONG_MS, MILLISECONDS)).isEqualTo("done");
            assertThat(f.state()).isEqualTo(Future.State.SUCCESS);
            assertThat(f.resultNow()).isEqualTo("done");
            assertThatThrownBy(f::exceptionNow).isInstanceOf(IllegalStateException.class);
        });
    }

    // ---- cancellation ----

    /**
     * cancel(false) of a running submission: true, CANCELLED, get throws CancellationException; the submission is not
     * stopped and runs to its end; a second cancel is false.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancelFalse_running_cancelledButRunsOn(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch finished = new CountDownLatch(1);
            Future<String> f = ex.submit(() -> {
                started.countDown();
                gate.await();
                finished.countDown();
                return "ignored";
            });
            Fixtures.await(started);
            assertThat(f.cancel(false)).isTrue();
            assertThat(f.isCancelled()).isTrue();
            assertThat(f.isDone()).isTrue();
            assertThat(f.state()).isEqualTo(Future.State.CANCELLED);
            assertThatThrownBy(() -> Fixtures.get(f)).isInstanceOf(CancellationException.class);
            assertThat(f.cancel(true)).as("already cancelled").isFalse();
            gate.countDown();
            Fixtures.await(finished); // cancel(false) did not stop it
        });
    }

    /** cancel(true) of a submission blocked in an interruptible JDK wait: it is stopped (it sees the interrupt) and ends. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancelTrue_runningInInterruptibleWait_stopsIt(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Future<String> f = ex.submit(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
                return "never";
            });
            Fixtures.await(started);
            assertThat(f.cancel(true)).isTrue();
            assertThat(f.state()).isEqualTo(Future.State.CANCELLED);
            assertThatThrownBy(() -> Fixtures.get(f)).isInstanceOf(CancellationException.class);
            Fixtures.await(interrupted);
        });
    }

    /** cancel of a completed future is false and leaves it SUCCESS. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancel_completed_falseAndUnchanged(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            Future<Integer> f = ex.submit(() -> 1);
            assertThat(Fixtures.get(f)).isEqualTo(1);
            assertThat(f.cancel(true)).isFalse();
            assertThat(f.state()).isEqualTo(Future.State.SUCCESS);
            assertThat(f.isCancelled()).isFalse();
        });
    }

    // ---- invokeAll, invokeAny ----

    /** invokeAll returns the futures in the order of the collection, all done, failures inside their futures. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void invokeAll_mixed_allDoneInOrder(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            IllegalArgumentException bad = new IllegalArgumentException("bad");
            List<Callable<Integer>> work = List.of(() -> 1, () -> {
                throw bad;
            }, () -> 3, () -> 4);
            List<Future<Integer>> fs = ex.invokeAll(work);
            assertThat(fs).hasSize(4).allMatch(Future::isDone);
            assertThat(fs.get(0).resultNow()).isEqualTo(1);
            assertThat(fs.get(1).exceptionNow()).isSameAs(bad);
            assertThat(fs.get(2).resultNow()).isEqualTo(3);
            assertThat(fs.get(3).resultNow()).isEqualTo(4);
        });
    }

    /** invokeAll with a timeout: what finished keeps its result; what did not is cancelled (and stopped). */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void invokeAllTimed_oneNeverEnds_itIsCancelledOthersDone(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch interrupted = new CountDownLatch(1);
            Callable<Integer> forever = () -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
                return -1;
            };
            List<Future<Integer>> fs = ex.invokeAll(List.of(() -> 1, forever, () -> 3),
                    Await.scaled(java.time.Duration.ofSeconds(2)).toMillis(), MILLISECONDS);
            assertThat(fs).hasSize(3).allMatch(Future::isDone);
            assertThat(fs.get(0).resultNow()).isEqualTo(1);
            assertThat(fs.get(1).isCancelled()).isTrue();
            assertThat(fs.get(2).resultNow()).isEqualTo(3);
            Fixtures.await(interrupted);
        });
    }

    /** invokeAny returns a successful result although others fail or never end. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void invokeAny_oneSucceeds_returnsItsResult(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            Callable<String> fails = () -> {
                throw new IllegalStateException("no");
            };
            Callable<String> forever = () -> {
                new CountDownLatch(1).await();
                return "never";
            };
            assertThat(ex.invokeAny(List.of(fails, () -> "yes", forever))).isEqualTo("yes");
        });
    }

    /** invokeAny where every callable fails: ExecutionException with one of the failures as its cause. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void invokeAny_allFail_throwsExecutionException(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            List<Callable<String>> work = List.of(() -> {
                throw new IllegalStateException("one");
            }, () -> {
                throw new IllegalStateException("two");
            });
            assertThatThrownBy(() -> ex.invokeAny(work)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class);
        });
    }

    /** Timed invokeAny where nothing ends in time: TimeoutException. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void invokeAnyTimed_nothingEnds_throwsTimeoutException(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            Callable<String> forever = () -> {
                new CountDownLatch(1).await();
                return "never";
            };
            assertThatThrownBy(() -> ex.invokeAny(List.of(forever, forever), 50, MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);
        });
    }

    /** invokeAny of no callables is refused with IllegalArgumentException. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void invokeAny_empty_throwsIllegalArgument(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            assertThatThrownBy(() -> ex.invokeAny(List.<Callable<String>>of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ex.invokeAny(List.<Callable<String>>of(), 1, TimeUnit.SECONDS))
                    .isInstanceOf(IllegalArgumentException.class);
        });
    }

    // ---- shutdown, termination, close ----

    /**
     * shutdown: no new work (RejectedExecutionException from every entry point), running work finishes, then the
     * executor terminates; awaitTermination is false while work runs, true after.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void shutdown_runningWork_finishesThenTerminates(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch gate = new CountDownLatch(1);
            Future<String> running = ex.submit(after(gate, "finished"));
            assertThat(ex.isShutdown()).isFalse();
            ex.shutdown();
            assertThat(ex.isShutdown()).isTrue();
            assertThat(ex.isTerminated()).isFalse();
            assertThatThrownBy(() -> ex.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> ex.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> ex.submit(() -> {})).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> ex.submit(() -> {}, 1)).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> ex.invokeAll(List.of(() -> 1))).isInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> ex.invokeAny(List.of(() -> 1))).isInstanceOf(RejectedExecutionException.class);
            assertThat(ex.awaitTermination(20, MILLISECONDS)).as("work still runs").isFalse();
            gate.countDown();
            assertThat(Fixtures.get(running)).isEqualTo("finished");
            assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
            assertThat(ex.isTerminated()).isTrue();
            ex.shutdown(); // again: nothing changes
            assertThat(ex.isTerminated()).isTrue();
        });
    }

    /** shutdownNow of an idle executor returns no work and the executor terminates. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void shutdownNow_idle_returnsNothingAndTerminates(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            assertThat(Fixtures.get(ex.submit(() -> 1))).isEqualTo(1);
            assertThat(ex.shutdownNow()).isEmpty();
            assertThat(ex.isShutdown()).isTrue();
            assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
            assertThat(ex.isTerminated()).isTrue();
        });
    }

    /** close() waits for running work to finish, then the executor is terminated. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void close_runningWork_waitsForItThenTerminated(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch gate = new CountDownLatch(1);
            Future<String> running = ex.submit(after(gate, "finished"));
            Thread closer = Thread.ofPlatform().name("closer").start(ex::close);
            Await.until("close() to shut the executor down", ex::isShutdown);
            assertThat(closer.isAlive()).as("close() waits while work runs").isTrue();
            gate.countDown();
            assertThat(closer.join(java.time.Duration.ofMillis(LONG_MS))).as("close() returned").isTrue();
            assertThat(ex.isTerminated()).isTrue();
            assertThat(running.resultNow()).isEqualTo("finished");
        });
    }

    /** close() interrupted while it waits stops the running work (shutdownNow) and returns with the interrupt kept. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void close_interruptedWhileWaiting_stopsRunningWork(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            ex.submit(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    stopped.countDown();
                }
                return null;
            });
            Fixtures.await(started);
            AtomicReference<Boolean> interruptKept = new AtomicReference<>();
            Thread closer = Thread.ofPlatform().name("closer").start(() -> {
                ex.close();
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            Await.until("close() to shut the executor down", ex::isShutdown);
            closer.interrupt();
            Fixtures.await(stopped);
            assertThat(closer.join(java.time.Duration.ofMillis(LONG_MS))).as("close() returned").isTrue();
            assertThat(interruptKept.get()).isTrue();
            assertThat(ex.isTerminated()).isTrue();
        });
    }

    /** Every entry point refuses null with NullPointerException. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void nullArguments_throwNullPointerException(Kind kind, Kernel kernel) throws Exception {
        on(kind, kernel, ex -> {
            assertThatThrownBy(() -> ex.execute(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.submit((Callable<?>) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.submit(null, 1)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.invokeAll(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.invokeAny(null)).isInstanceOf(NullPointerException.class);
            Collection<Callable<Integer>> withNull = new ArrayList<>();
            withNull.add(() -> 1);
            withNull.add(null);
            assertThatThrownBy(() -> ex.invokeAll(withNull)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.invokeAny(withNull)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.awaitTermination(1, null)).isInstanceOf(NullPointerException.class);
        });
    }
}
