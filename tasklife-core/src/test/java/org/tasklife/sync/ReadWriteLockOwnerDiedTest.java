package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.StuckTaskReport;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

/**
 * SPEC §9: a task that ends holding read holds of a reader-writer lock has them released; one that ends
 * holding the write lock hands it on with the owner-died notice.
 */
@ExtendWith(KernelExtension.class)
class ReadWriteLockOwnerDiedTest {

    private static final long LONG_MS = Await.LONG.toMillis();

    /** A writer task that takes the write lock and reports whether it was told the owner died (then repairs and unlocks). */
    private static Attempt writer(TaskGroup g, String name, ReadWriteLock rw) {
        return attempt(g, name, () -> {
            String told;
            try {
                rw.writeLock();
                told = "not told";
            } catch (OwnerDiedException e) {
                told = e.readWriteLock() == rw && rw.isWriteLockedByCurrentTask() ? "told, holding" : "told, not holding";
                rw.markConsistent();
            }
            rw.writeUnlock();
            return told;
        });
    }

    // ---- read holds of a dead task are released ----

    /** A reader that returns holding (re-entered) read holds has them all released when it ends: a writer then gets the lock. */
    @Test
    void readHold_holderReturnsHolding_releasedWriterGetsLock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Task<Object> reader = g.spawnTask("reader", () -> {
            rw.readLock();
            rw.readLock();
            rw.readLock(); // three holds, never released: a bug in user code
            return null;
        });
        assertThat(ended(reader)).isEqualTo(ExitStatus.exited(0));
        assertThat(rw.readHoldCount()).isZero();

        assertThat(rw.tryWriteLock(LONG_MS, TimeUnit.MILLISECONDS)).isTrue(); // not told: read holds are no damage
        rw.writeUnlock();
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    /** A writer queued behind a reader that then ends holding gets the lock, not told (read holds protect no writes). */
    @Test
    void readHold_holderEndsWhileWriterQueued_writerGetsLock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore go = new Semaphore(0);
        CountDownLatch reading = new CountDownLatch(1);
        Task<Object> reader = g.spawnTask("reader", () -> {
            rw.readLock();
            reading.countDown();
            go.acquire();
            return null; // ends holding
        });
        await(reading);
        Attempt w = writer(g, "writer", rw);
        Await.until("the writer queued", () -> rw.queueLength() == 1);
        Await.state(w.task(), TaskState.BLOCKED);

        go.release();

        assertThat(w.get()).isEqualTo("not told");
        ended(reader);
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    /** A reader killed while holding (no finally) has its hold released: the queued writer gets the lock. */
    @Test
    void readHold_holderKilled_writerGetsLock(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        CountDownLatch reading = new CountDownLatch(1);
        Task<Object> reader = g.spawnTask("reader", () -> {
            rw.readLock();
            reading.countDown();
            Tasks.sleep(Duration.ofHours(1)); // killed here; no finally unlocks
            return null;
        });
        await(reading);
        Attempt w = writer(g, "writer", rw);
        Await.until("the writer queued", () -> rw.queueLength() == 1);

        reader.kill();

        assertThat(w.get()).isEqualTo("not told");
        assertThat(ended(reader)).isEqualTo(ExitStatus.KILLED);
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    /** Of three readers one ends holding: only its hold is released; the queued writer waits for the two live readers. */
    @Test
    void readHold_oneOfSeveralReadersDies_onlyItsHoldReleased(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        List<Semaphore> gates = new ArrayList<>();
        List<Task<Object>> readers = new ArrayList<>();
        CountDownLatch reading = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            Semaphore gate = new Semaphore(0);
            boolean dies = i == 1;
            gates.add(gate);
            readers.add(g.spawnTask("reader" + i, () -> {
                rw.readLock();
                rw.readLock(); // two holds each
                reading.countDown();
                gate.acquire();
                if (!dies) {
                    rw.readUnlock();
                    rw.readUnlock();
                }
                return null;
            }));
        }
        await(reading);
        assertThat(rw.readHoldCount()).isEqualTo(6);
        Attempt w = writer(g, "writer", rw);
        Await.until("the writer queued", () -> rw.queueLength() == 1);

        gates.get(1).release();
        ended(readers.get(1));
        assertThat(rw.readHoldCount()).isEqualTo(4);
        assertThat(w.task().state()).isEqualTo(TaskState.BLOCKED);
        assertThat(rw.queueLength()).isEqualTo(1);

        gates.get(0).release();
        ended(readers.get(0));
        assertThat(rw.readHoldCount()).isEqualTo(2);
        assertThat(rw.queueLength()).isEqualTo(1);

        gates.get(2).release();
        assertThat(w.get()).isEqualTo("not told");
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    // ---- the write lock of a dead task is handed on, owner-died ----

    /**
     * A writer that returns holding the write lock: the next holder, a reader, is told holding its read hold,
     * and so is every new holder until a writer marks the lock consistent.
     */
    @Test
    void writeLock_writerReturnsHolding_nextHoldersToldUntilMarkedConsistent(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Task<Object> w = g.spawnTask("writer", () -> {
            rw.writeLock(); // never released
            return null;
        });
        assertThat(ended(w)).isEqualTo(ExitStatus.exited(0));
        assertThat(rw.isWriteLocked()).isFalse();
        assertThat(rw.isOwnerDied()).isTrue();

        assertThatThrownBy(rw::readLock).isInstanceOf(OwnerDiedException.class).hasMessageContaining("markConsistent")
                .satisfies(e -> assertThat(((OwnerDiedException) e).readWriteLock()).isSameAs(rw))
                .satisfies(e -> assertThat(((OwnerDiedException) e).mutex()).isNull());
        assertThat(rw.readHoldCount()).as("told holding a read hold").isEqualTo(1);
        rw.readLock(); // re-entry: not a new holder, not told
        rw.readUnlock();
        assertThatThrownBy(rw::markConsistent).as("a reader cannot repair").is(reason(NOT_PERMITTED));
        rw.readUnlock();

        assertThatThrownBy(rw::tryReadLock).isInstanceOf(OwnerDiedException.class); // still owner-died: told again
        rw.readUnlock();
        assertThatThrownBy(rw::tryWriteLock).isInstanceOf(OwnerDiedException.class);
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        rw.markConsistent();
        assertThat(rw.isOwnerDied()).isFalse();
        rw.writeUnlock();

        rw.readLock(); // consistent: not told
        rw.readUnlock();
        assertThatThrownBy(rw::markConsistent).is(reason(NOT_PERMITTED));
        rw.writeLock();
        assertThatThrownBy(rw::markConsistent).isInstanceOf(IllegalStateException.class).hasMessageContaining("consistent");
        rw.writeUnlock();
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    /** A writer killed while holding (no finally) hands the lock to the queued writer, which is told and can repair. */
    @Test
    void writeLock_writerKilledHolding_queuedWriterTold(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        CountDownLatch writing = new CountDownLatch(1);
        Task<Object> dying = g.spawnTask("dying", () -> {
            rw.writeLock();
            writing.countDown();
            Tasks.sleep(Duration.ofHours(1)); // killed here; no finally
            return null;
        });
        await(writing);
        Attempt next = writer(g, "next", rw);
        Await.until("the next writer queued", () -> rw.queueLength() == 1);
        Await.state(next.task(), TaskState.BLOCKED);

        dying.kill();

        assertThat(next.get()).isEqualTo("told, holding");
        assertThat(ended(dying)).isEqualTo(ExitStatus.KILLED);
        assertThat(rw.isOwnerDied()).isFalse();
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    /** A writer that ends holding hands the lock to the run of readers queued behind it: each reader is told, holding its hold. */
    @Test
    void writeLock_writerEndsHolding_queuedReadersEachTold(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ReadWriteLock rw = new ReadWriteLock();
        Semaphore go = new Semaphore(0);
        CountDownLatch writing = new CountDownLatch(1);
        Task<Object> dying = g.spawnTask("dying", () -> {
            rw.writeLock();
            writing.countDown();
            go.acquire();
            return null; // ends holding
        });
        await(writing);
        List<Attempt> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            readers.add(attempt(g, "reader" + i, () -> {
                String told;
                try {
                    rw.tryReadLock(1, TimeUnit.HOURS);
                    told = "not told";
                } catch (OwnerDiedException e) {
                    told = "told";
                }
                told += ", holds " + rw.readHoldCount();
                rw.readUnlock();
                return told;
            }));
            int queued = i + 1;
            Await.until("reader queued", () -> rw.queueLength() == queued);
        }

        go.release();

        for (Attempt r : readers) {
            assertThat((String) r.get()).startsWith("told, holds ");
        }
        ended(dying);
        assertThat(rw.isOwnerDied()).isTrue(); // readers cannot repair
        Attempt repair = writer(g, "repair", rw);
        assertThat(repair.get()).isEqualTo("told, holding");
        assertThat(rw.isOwnerDied()).isFalse();
        ReadWriteLockTest.assertFree(rw);
        killAndReap(g);
    }

    /** markConsistent on a consistent lock, or by a caller not holding the write lock, is an error and changes nothing. */
    @Test
    void markConsistent_misuse_refusedStateUnchanged() {
        ReadWriteLock rw = new ReadWriteLock();
        assertThatThrownBy(rw::markConsistent).is(reason(NOT_PERMITTED))
                .hasMessageContaining("write lock");
        rw.writeLock();
        assertThatThrownBy(rw::markConsistent).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("consistent");
        assertThat(rw.isWriteLockedByCurrentTask()).isTrue();
        assertThat(rw.isOwnerDied()).isFalse();
        rw.writeUnlock();
        ReadWriteLockTest.assertFree(rw);
    }

    // ---- SPEC K8: stuck holders disposed by the reaper ----

    /** SPEC K8: a reader and a writer stuck in code that ignores kills are disposed by the reaper; their holds are released / handed on. */
    @Test
    void holders_stuckAndDisposed_readHoldReleasedWriteLockHandedOnOwnerDied() throws Exception {
        List<StuckTaskReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> twoReported = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Kernel kernel = Kernel.builder().name("k8-rwlock").killGracePeriod(Duration.ofMillis(100))
                .onStuckTask(r -> {
                    reports.add(r);
                    if (reports.size() == 2) {
                        twoReported.complete(null);
                    }
                }).boot();
        try {
            ReadWriteLock readLocked = new ReadWriteLock();
            ReadWriteLock writeLocked = new ReadWriteLock();
            CountDownLatch holding = new CountDownLatch(2);
            TaskGroup stuck = kernel.spawnGroup(SpawnOptions.named("stuck").platformThread(true), () -> {
                Tasks.spawnTask(SpawnOptions.named("stuck-writer").platformThread(true), () -> {
                    writeLocked.writeLock();
                    holding.countDown();
                    while (!stop.get()) {
                        Thread.onSpinWait(); // never reaches a safe point
                    }
                    return null;
                });
                readLocked.readLock();
                holding.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
                return 0;
            });
            await(holding);
            TaskGroup home = idleGroup(kernel, "home");
            Attempt writerOfReadLocked = writer(home, "writer-r", readLocked);
            Attempt writerOfWriteLocked = writer(home, "writer-w", writeLocked);
            Await.until("both writers queued", () -> readLocked.queueLength() == 1 && writeLocked.queueLength() == 1);

            stuck.kill();

            get(twoReported);
            assertThat(writerOfReadLocked.get()).isEqualTo("not told");
            assertThat(writerOfWriteLocked.get()).isEqualTo("told, holding");
            stop.set(true);
            get(stuck.onExit());
            stuck.reap();
            killAndReap(home);
            KernelExtension.audit(kernel);
        } finally {
            stop.set(true);
            kernel.close();
        }
    }
}
