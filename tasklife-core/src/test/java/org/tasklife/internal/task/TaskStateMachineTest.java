package org.tasklife.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tasklife.ExitStatus;
import org.tasklife.TaskState;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.WaitNode;

/**
 * The TaskControlBlock transition table (STYLE G2): every legal phase edge is walked, every other
 * pair is refused, and the sticky flags obey their rules.
 */
class TaskStateMachineTest {

    /**
     * The phase edges of TaskControlBlock's implementation notes, written out independently of
     * {@link TaskControlBlock#isLegalEdge}:
     *
     * <pre>
     *      NEW -> RUNNING      // TaskRunner starts the thread (start())
     *  RUNNING -> BLOCKED      // beginWait()
     *  BLOCKED -> RUNNING      // endWait()
     *  RUNNING -> EXITING      // beginExit()
     *  EXITING -> TERMINATED   // publish()
     * </pre>
     */
    private static final List<TaskState[]> LEGAL = List.of(
            new TaskState[] {TaskState.NEW, TaskState.RUNNING},
            new TaskState[] {TaskState.RUNNING, TaskState.BLOCKED},
            new TaskState[] {TaskState.BLOCKED, TaskState.RUNNING},
            new TaskState[] {TaskState.RUNNING, TaskState.EXITING},
            new TaskState[] {TaskState.EXITING, TaskState.TERMINATED});

    private static final AtomicLong IDS = new AtomicLong(1000);

    static Stream<Arguments> legalEdges() {
        return LEGAL.stream().map(e -> Arguments.of(e[0], e[1]));
    }

    static Stream<Arguments> illegalPairs() {
        List<Arguments> out = new ArrayList<>();
        for (TaskState from : TaskState.values()) {
            for (TaskState to : TaskState.values()) {
                if (!isLegal(from, to)) {
                    out.add(Arguments.of(from, to));
                }
            }
        }
        return out.stream();
    }

    private static boolean isLegal(TaskState from, TaskState to) {
        return LEGAL.stream().anyMatch(e -> e[0] == from && e[1] == to);
    }

    /** The phase code of a public state. */
    private static int code(TaskState s) {
        return switch (s) {
            case NEW -> TaskControlBlock.NEW;
            case RUNNING -> TaskControlBlock.RUNNING;
            case BLOCKED -> TaskControlBlock.BLOCKED;
            case EXITING -> TaskControlBlock.EXITING;
            case TERMINATED -> TaskControlBlock.TERMINATED;
        };
    }

    private static TaskControlBlock newTcb() {
        long id = IDS.incrementAndGet();
        TaskOwner owner = new TaskOwner() {
            @Override
            public long ownerId() {
                return 1L;
            }

            @Override
            public Object authorityToken() {
                return null; // host: these tests drive the state word only
            }

            @Override
            public org.tasklife.internal.wait.Blocker blocker() {
                throw new UnsupportedOperationException("these tests drive the state word only: no task waits");
            }

            @Override
            public void safePoint(TaskControlBlock self) {}
        };
        return new TaskControlBlock(id, "t" + id, owner, false, Clock.system(), new AtomicLong());
    }

    private static void step(TaskControlBlock t, int from, int to) {
        assertThat(t.casPhase(from, to)).as("walk %s -> %s", from, to).isNotEqualTo(-1);
    }

    /** A fresh record brought to {@code phase} through legal edges only. */
    private static TaskControlBlock tcbIn(TaskState phase) {
        TaskControlBlock t = newTcb();
        switch (phase) {
            case NEW -> { }
            case RUNNING -> step(t, TaskControlBlock.NEW, TaskControlBlock.RUNNING);
            case BLOCKED -> {
                step(t, TaskControlBlock.NEW, TaskControlBlock.RUNNING);
                step(t, TaskControlBlock.RUNNING, TaskControlBlock.BLOCKED);
            }
            case EXITING -> {
                step(t, TaskControlBlock.NEW, TaskControlBlock.RUNNING);
                step(t, TaskControlBlock.RUNNING, TaskControlBlock.EXITING);
            }
            case TERMINATED -> {
                step(t, TaskControlBlock.NEW, TaskControlBlock.RUNNING);
                step(t, TaskControlBlock.RUNNING, TaskControlBlock.EXITING);
                step(t, TaskControlBlock.EXITING, TaskControlBlock.TERMINATED);
            }
        }
        assertThat(t.taskState()).isEqualTo(phase);
        return t;
    }

    /** Runs {@code body} on a new platform thread (start() binds a ThreadLocal) and returns its result. */
    private static <T> T onFreshThread(Callable<T> body) throws Exception {
        FutureTask<T> f = new FutureTask<>(body);
        Thread th = Thread.ofPlatform().name("tcb-test-thread").start(f);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            th.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    // ---- the table ----

    /** SPEC §1, STYLE G2: each legal edge moves the phase by CAS, keeps the flags, and a second mover loses. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("legalEdges")
    void casPhase_legalEdge_movesPhaseKeepingFlags(TaskState from, TaskState to) {
        TaskControlBlock t = tcbIn(from);
        assertThat(t.markDetached()).isTrue();
        boolean killed = from.compareTo(TaskState.EXITING) < 0 && t.kill();
        int before = t.stateVolatile();

        int replaced = t.casPhase(code(from), code(to));

        assertThat(replaced).isEqualTo(before);
        assertThat(t.taskState()).isEqualTo(to);
        assertThat(t.stateVolatile()).isEqualTo((before & ~TaskControlBlock.PHASE) | code(to));
        assertThat(t.isDetached()).isTrue();
        assertThat(t.isKilled()).isEqualTo(killed);
        assertThat(t.casPhase(code(from), code(to))).as("a second mover from the old phase").isEqualTo(-1);
        assertThat(t.taskState()).isEqualTo(to);
    }

    /** SPEC §1, STYLE G2: every pair of phases that is not an edge of the table is refused and changes nothing. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("illegalPairs")
    void casPhase_pairNotInTable_throwsAndLeavesStateAlone(TaskState from, TaskState to) {
        TaskControlBlock t = tcbIn(from);
        int before = t.stateVolatile();

        assertThatThrownBy(() -> t.casPhase(code(from), code(to)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("illegal phase edge");

        assertThat(t.stateVolatile()).isEqualTo(before);
        assertThat(t.taskState()).isEqualTo(from);
    }

    /** SPEC §1, STYLE G2: isLegalEdge answers exactly the table of the implementation notes (20 refused pairs of 25). */
    @Test
    void isLegalEdge_allPairs_matchesTable() {
        int refused = 0;
        for (TaskState from : TaskState.values()) {
            for (TaskState to : TaskState.values()) {
                assertThat(TaskControlBlock.isLegalEdge(code(from), code(to))).as("%s -> %s", from, to)
                        .isEqualTo(isLegal(from, to));
                if (!isLegal(from, to)) {
                    refused++;
                }
            }
        }
        assertThat(refused).isEqualTo(20);
    }

    // ---- the triggers, on the task's own thread ----

    /** SPEC §1 (NEW -> RUNNING): start() on the task's own thread binds it as the current task and lets the body run. */
    @Test
    void start_onOwnThread_movesNewToRunningAndBindsCurrentTask() throws Exception {
        TaskControlBlock t = newTcb();
        Object[] seen = onFreshThread(() -> new Object[] {t.start(), TaskControlBlock.current(), Thread.currentThread()});
        assertThat(seen[0]).isEqualTo(true);
        assertThat(seen[1]).isSameAs(t);
        assertThat(t.thread()).isSameAs(seen[2]);
        assertThat(t.taskState()).isEqualTo(TaskState.RUNNING);
    }

    /** SPEC K1, P4: a task killed while NEW still moves to RUNNING at start, but its body must not run. */
    @Test
    void start_killedWhileNew_movesToRunningButSkipsBody() throws Exception {
        TaskControlBlock t = newTcb();
        assertThat(t.kill()).isTrue();
        boolean runBody = onFreshThread(t::start);
        assertThat(runBody).isFalse();
        assertThat(t.taskState()).isEqualTo(TaskState.RUNNING);
        assertThat(t.isKilled()).isTrue();
    }

    /** SPEC §1, E6: each trigger method moves along its row: start, beginWait, endWait, beginExit, publish. */
    @Test
    void triggers_fullLifecycleOnOwnThread_walkEveryRowInOrder() throws Exception {
        TaskControlBlock t = newTcb();
        List<TaskState> seen = onFreshThread(() -> {
            List<TaskState> states = new ArrayList<>();
            assertThat(t.start()).isTrue();
            states.add(t.taskState());
            WaitNode n = new WaitNode(null, "test-channel");
            assertThat(t.beginWait(n)).isTrue();
            states.add(t.taskState());
            assertThat(t.waitChannel()).isEqualTo("test-channel");
            t.endWait(n);
            states.add(t.taskState());
            assertThat(t.waitChannel()).isNull();
            int word = t.beginExit();
            assertThat(TaskControlBlock.phase(word)).isEqualTo(TaskControlBlock.RUNNING);
            assertThat(TaskControlBlock.wasKilled(word)).isFalse();
            states.add(t.taskState());
            t.publish(ExitStatus.exited(0), "result");
            states.add(t.taskState());
            assertThat(TaskControlBlock.current()).isNull();
            return states;
        });
        assertThat(seen).containsExactly(TaskState.RUNNING, TaskState.BLOCKED, TaskState.RUNNING, TaskState.EXITING,
                TaskState.TERMINATED);
        assertThat(t.status()).isEqualTo(ExitStatus.exited(0));
        assertThat(t.result()).isEqualTo("result");
        assertThat(t.onExit()).isCompletedWithValue(ExitStatus.exited(0));
    }

    /** DESIGN I3 / SPEC K3: beginWait refuses RUNNING -> BLOCKED once the task is killed. */
    @Test
    void beginWait_afterKill_refusesAndStaysRunning() throws Exception {
        TaskControlBlock t = newTcb();
        boolean[] r = onFreshThread(() -> {
            t.start();
            boolean killed = t.kill();
            boolean waited = t.beginWait(new WaitNode(null, "ch"));
            TaskState mid = t.taskState();
            t.endWait(null);
            return new boolean[] {killed, waited, mid == TaskState.RUNNING, t.taskState() == TaskState.RUNNING};
        });
        assertThat(r).containsExactly(true, false, true, true);
    }

    /** The word beginExit replaced carries KILLED when the task was killed while running (SPEC K6). */
    @Test
    void beginExit_afterKill_reportsKilledWord() throws Exception {
        TaskControlBlock t = newTcb();
        int word = onFreshThread(() -> {
            t.start();
            t.kill();
            return t.beginExit();
        });
        assertThat(TaskControlBlock.wasKilled(word)).isTrue();
        assertThat(TaskControlBlock.wasExitRequested(word)).isFalse();
        assertThat(t.taskState()).isEqualTo(TaskState.EXITING);
    }

    // ---- flags ----

    /** SPEC K1: kill() sets KILLED once: true for the first call, false after, in every live phase. */
    @ParameterizedTest
    @EnumSource(value = TaskState.class, names = {"NEW", "RUNNING", "BLOCKED"})
    void kill_livePhase_trueOnceThenFalse(TaskState phase) {
        TaskControlBlock t = tcbIn(phase);
        assertThat(t.kill()).isTrue();
        assertThat(t.isKilled()).isTrue();
        assertThat(t.kill()).isFalse();
        assertThat(t.isKilled()).isTrue();
        assertThat(t.taskState()).isEqualTo(phase);
    }

    /** SPEC K1: kill() of an exiting or terminated task returns false and sets nothing. */
    @ParameterizedTest
    @EnumSource(value = TaskState.class, names = {"EXITING", "TERMINATED"})
    void kill_exitingOrTerminated_returnsFalse(TaskState phase) {
        TaskControlBlock t = tcbIn(phase);
        int before = t.stateVolatile();
        assertThat(t.kill()).isFalse();
        assertThat(t.isKilled()).isFalse();
        assertThat(t.stateVolatile()).isEqualTo(before);
    }

    /** SPEC K1 (invariant T2): kill() after the task requested its own exit returns false. */
    @Test
    void kill_afterExitRequested_returnsFalse() throws Exception {
        TaskControlBlock t = newTcb();
        boolean[] r = onFreshThread(() -> {
            t.start();
            boolean requested = t.requestExit(5, null);
            return new boolean[] {requested, t.kill(), t.isKilled()};
        });
        assertThat(r).containsExactly(true, false, false);
        assertThat(t.requestedExitCode()).isEqualTo(5);
    }

    /** SPEC J2: markDetached sets DETACHED once; the second call returns false. */
    @Test
    void markDetached_twice_secondReturnsFalse() {
        TaskControlBlock t = tcbIn(TaskState.RUNNING);
        assertThat(t.markDetached()).isTrue();
        assertThat(t.markDetached()).isFalse();
        assertThat(t.isDetached()).isTrue();
        assertThat(t.taskState()).isEqualTo(TaskState.RUNNING);
    }

    /** SPEC J1, J2: markJoined sets JOINED once; the second call returns false. */
    @Test
    void markJoined_twice_secondReturnsFalse() {
        TaskControlBlock t = tcbIn(TaskState.TERMINATED);
        assertThat(t.markJoined()).isTrue();
        assertThat(t.markJoined()).isFalse();
    }

    /** SPEC §0, J2 (no-such-task only after the end): DISPOSED is refused before TERMINATED. */
    @ParameterizedTest
    @EnumSource(value = TaskState.class, names = {"NEW", "RUNNING", "BLOCKED", "EXITING"})
    void markDisposed_beforeTerminated_returnsFalse(TaskState phase) {
        TaskControlBlock t = tcbIn(phase);
        assertThat(t.markDisposed()).isFalse();
        assertThat(t.isDisposed()).isFalse();
        assertThat(t.taskState()).isEqualTo(phase);
    }

    /** SPEC §0, J2: DISPOSED is set once in TERMINATED; the second call returns false. */
    @Test
    void markDisposed_terminated_trueOnceThenFalse() {
        TaskControlBlock t = tcbIn(TaskState.TERMINATED);
        assertThat(t.markDisposed()).isTrue();
        assertThat(t.isDisposed()).isTrue();
        assertThat(t.markDisposed()).isFalse();
        assertThat(t.taskState()).isEqualTo(TaskState.TERMINATED);
    }

    // ---- handed-out tasks (H1) ----

    /** A TaskOwner that records which of its tasks were killed before their handed-out thread started. */
    private static final class RecordingOwner implements TaskOwner {
        final List<TaskControlBlock> killedBeforeStart = new ArrayList<>();

        @Override
        public long ownerId() {
            return 1L;
        }

        @Override
        public Object authorityToken() {
            return null;
        }

        @Override
        public org.tasklife.internal.wait.Blocker blocker() {
            throw new UnsupportedOperationException("no waits here");
        }

        @Override
        public void safePoint(TaskControlBlock self) {}

        @Override
        public void handedOutKilledBeforeStart(TaskControlBlock t) {
            killedBeforeStart.add(t);
        }
    }

    private static TaskControlBlock handedOut(TaskOwner owner) {
        long id = IDS.incrementAndGet();
        TaskControlBlock t = new TaskControlBlock(id, "h" + id, owner, false, Clock.system(), new AtomicLong());
        t.markHandedOut();
        return t;
    }

    /** H1: a kill of a NEW handed-out task tells its owner once (to retire it); of a plain NEW task, never. */
    @Test
    void kill_handedOutWhileNew_tellsOwnerOnce() {
        RecordingOwner owner = new RecordingOwner();
        TaskControlBlock h = handedOut(owner);
        TaskControlBlock plain = new TaskControlBlock(IDS.incrementAndGet(), "p", owner, false, Clock.system(),
                new AtomicLong());

        assertThat(h.kill()).isTrue();
        assertThat(h.kill()).isFalse();
        assertThat(plain.kill()).isTrue();

        assertThat(owner.killedBeforeStart).containsExactly(h);
    }

    /** H1: retireUnstarted moves a killed NEW task to EXITING off its thread; its thread's claimStart then fails. */
    @Test
    void retireUnstarted_beforeStart_winsAndClaimStartFails() throws Exception {
        TaskControlBlock h = handedOut(new RecordingOwner());
        h.kill();

        assertThat(h.retireUnstarted()).isTrue();
        assertThat(h.taskState()).isEqualTo(TaskState.EXITING);
        h.publishRetired(ExitStatus.KILLED);
        assertThat(h.status()).isEqualTo(ExitStatus.KILLED);
        assertThat(h.onExit()).isCompletedWithValue(ExitStatus.KILLED);

        Object[] seen = onFreshThread(() -> new Object[] {h.claimStart(), TaskControlBlock.current()});
        assertThat(seen[0]).isEqualTo(false);
        assertThat(seen[1]).as("the thread is not bound to the retired task").isNull();
        assertThat(h.thread()).isNull();
        assertThat(h.taskState()).isEqualTo(TaskState.TERMINATED);
    }

    /** H1: once its thread claimed the task, retireUnstarted fails and the started task skips its body (killed). */
    @Test
    void claimStart_beforeRetire_winsAndRetireFails() throws Exception {
        TaskControlBlock h = handedOut(new RecordingOwner());
        boolean[] seen = onFreshThread(() -> {
            boolean claimed = h.claimStart();
            h.kill();
            return new boolean[] {claimed, h.bodyMayRun()};
        });
        assertThat(seen).containsExactly(true, false);
        assertThat(h.retireUnstarted()).isFalse();
        assertThat(h.taskState()).isEqualTo(TaskState.RUNNING);
    }

    /** FAILS_ALONE is set on the task's own thread and read back; it does not touch the phase or the kill. */
    @Test
    void markFailsAlone_onOwnThread_setsTheFlagOnly() throws Exception {
        TaskControlBlock t = newTcb();
        assertThat(t.failsAlone()).isFalse();
        onFreshThread(() -> {
            t.start();
            t.markFailsAlone();
            return null;
        });
        assertThat(t.failsAlone()).isTrue();
        assertThat(t.taskState()).isEqualTo(TaskState.RUNNING);
        assertThat(t.isKilled()).isFalse();
    }
}
