package org.tasklife.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The VeridianOS tables (seed-systems §6 V5–V7) and tasklife's run-queue rules (issue 7). */
class SchedulingPolicyTest {

    /** positionOf: distinct positions 1..n in the order next() dispatches, ties first come first served. */
    @Test
    void runQueue_positionOf_isTheDispatchOrder_evenForTasksAddedBetweenTheSameDispatches() {
        RunQueue<String> q = new RunQueue<>();
        String[][] added = {{"idle1", "99"}, {"user1", "60"}, {"rt1", "5"}, {"user2", "60"}, {"idle2", "85"},
            {"rt2", "5"}, {"system", "50"}};
        for (String[] a : added) {
            q.add(a[0], Integer.parseInt(a[1]));
        }
        List<String> byPosition = new ArrayList<>(java.util.Collections.nCopies(added.length, (String) null));
        for (String[] a : added) {
            int p = q.positionOf(a[0]);
            assertThat(byPosition.get(p - 1)).as("position %d given twice", p).isNull();
            byPosition.set(p - 1, a[0]);
        }
        List<String> dispatched = new ArrayList<>();
        for (String t; (t = q.next()) != null; ) {
            dispatched.add(t);
        }
        assertThat(byPosition).containsExactly("rt1", "rt2", "system", "user1", "user2", "idle1", "idle2");
        assertThat(dispatched).isEqualTo(byPosition);
    }


    /** S7: which queued task takes the CPU from a runner before its slice ends. */
    @ParameterizedTest(name = "queued {0} vs running {1}: {2}")
    @CsvSource({
        "5, 60, true",   // real-time over normal
        "30, 31, true",  // the last real-time priority over the first normal one
        "5, 99, true",   // real-time over idle
        "60, 99, true",  // normal over idle
        "3, 7, true",    // real-time: a lower number
        "7, 7, false",   // real-time: the same number waits
        "9, 7, false",   // real-time: a higher number waits
        "35, 60, false", // normal vs normal: slices and aging decide
        "60, 35, false",
        "99, 60, false", // idle never preempts
        "60, 5, false",  // nothing preempts real-time but more urgent real-time
        "99, 99, false"})
    void runQueue_preempts_onlyAMoreUrgentClassOrRealTimeNumber(int queued, int running, boolean expected) {
        RunQueue<String> q = new RunQueue<>();
        assertThat(q.preempts(running)).as("empty queue").isFalse();
        q.add("t", queued);
        assertThat(q.preempts(running)).isEqualTo(expected);
    }


    /** V5: numeric priority → class → scheduling class. */
    @ParameterizedTest
    @CsvSource({
        "0, REAL_TIME_HIGH, REAL_TIME", "10, REAL_TIME_HIGH, REAL_TIME", "11, REAL_TIME_NORMAL, REAL_TIME",
        "20, REAL_TIME_NORMAL, REAL_TIME", "30, REAL_TIME_LOW, REAL_TIME", "31, SYSTEM_HIGH, NORMAL",
        "40, SYSTEM_HIGH, NORMAL", "41, SYSTEM_NORMAL, NORMAL", "50, SYSTEM_NORMAL, NORMAL",
        "51, USER_HIGH, NORMAL", "60, USER_HIGH, NORMAL", "61, USER_NORMAL, NORMAL", "70, USER_NORMAL, NORMAL",
        "71, USER_LOW, NORMAL", "80, USER_LOW, NORMAL", "81, IDLE, IDLE", "255, IDLE, IDLE"})
    void priorityClass_table(int priority, PriorityClass cls, SchedulingClass scheduling) {
        assertThat(PriorityClass.of(priority)).isEqualTo(cls);
        assertThat(cls.schedulingClass()).isEqualTo(scheduling);
    }

    @Test
    void priorityClass_negative_isRefused() {
        assertThatThrownBy(() -> PriorityClass.of(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("priority must be at least 0 (most urgent), was -1");
    }

    /** V7: the least-loaded online CPU, ties to the lowest id; offline CPUs are skipped. */
    @ParameterizedTest
    @CsvSource({
        "'50,10,10,80', 'true,true,true,true', '0,1,2,3', 1",
        "'50,10,10,80', 'true,false,true,true', '0,1,2,3', 2",
        "'0,0,0,0', 'true,true,true,true', '0,1,2,3', 0",
        "'5,5,5,5', 'false,true,true,true', '0,1,2,3', 1",
        "'50,10,10,80', 'true,true,true,true', '2', 2",
        "'50,10,10,80', 'true,true,true,true', '0,3', 0",
        "'1,1,1,1,1,1,1,1,1,1', 'true,true,true,true,true,true,true,true,true,true', '9', 9"})
    void leastLoaded_table(String loads, String online, String affinity, int expected) {
        assertThat(Placement.leastLoaded(ints(loads), bools(online), CpuSet.of(ints(affinity)))).isEqualTo(expected);
    }

    /** V6 without VeridianOS's silent loss: an affinity that allows no online CPU is an error. */
    @Test
    void leastLoaded_affinityMatchingNoOnlineCpu_isAnError() {
        assertThatThrownBy(() -> Placement.leastLoaded(new int[] {0, 0}, new boolean[] {true, false}, CpuSet.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("affinity {1} allows no online CPU of the 2 this kernel has (online: {0})");
        assertThatThrownBy(() -> Placement.leastLoaded(new int[] {0}, new boolean[] {true}, CpuSet.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuSet.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runQueue_realTimeFirst_thenPriority_thenFifo() {
        RunQueue<String> q = new RunQueue<>();
        q.add("user-a", 60);
        q.add("idle", 90);
        q.add("rt-low", 25);
        q.add("user-b", 60);
        q.add("rt-high", 3);
        q.add("system", 35);

        List<String> order = drain(q);

        assertThat(order).containsExactly("rt-high", "rt-low", "system", "user-a", "user-b", "idle");
    }

    /** Starvation bound: a steady stream of real-time tasks lets a NORMAL task run within RT_BURST + 1 dispatches. */
    @Test
    void runQueue_steadyRealTimeStream_cannotStarveNormal() {
        RunQueue<String> q = new RunQueue<>();
        q.add("normal", 60);
        int dispatched = 0;
        String next;
        do {
            q.add("rt" + dispatched, 0); // a new real-time task is always runnable
            next = q.next();
            dispatched++;
        } while (!next.equals("normal") && dispatched < 1_000);

        assertThat(dispatched).isEqualTo(RunQueue.RT_BURST + 1);
    }

    /** Aging: a waiting low-priority NORMAL task overtakes fresh higher-priority ones within the documented bound. */
    @Test
    void runQueue_agingLetsALowPriorityNormalTaskRun() {
        RunQueue<String> q = new RunQueue<>();
        q.add("low", 80);
        int dispatched = 0;
        String next;
        do {
            q.add("fresh" + dispatched, 60); // each arrives fresh, unaged
            next = q.next();
            dispatched++;
        } while (!next.equals("low") && dispatched < 1_000);

        // "low" needs a boost of 20 over a fresh 60: 20 points × AGING_DISPATCHES, then wins the tie by age
        assertThat(dispatched).isLessThanOrEqualTo((80 - 60) * RunQueue.AGING_DISPATCHES + 1);
        assertThat(RunQueue.effectivePriority(80, 1_000_000)).isEqualTo(80 - RunQueue.MAX_AGING_BOOST);
    }

    @Test
    void runQueue_remove_takesAQueuedTaskOut() {
        RunQueue<String> q = new RunQueue<>();
        q.add("a", 60);
        q.add("b", 5);
        assertThat(q.remove("b")).isTrue();
        assertThat(q.remove("b")).isFalse();
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.next()).isEqualTo("a");
        assertThat(q.next()).isNull();
    }

    /** takeFirstMatching with every task allowed takes them in the order next() dispatches them. */
    @Test
    void runQueue_takeFirstMatching_allAllowed_followsDispatchOrder() {
        RunQueue<String> q = new RunQueue<>();
        RunQueue<String> reference = new RunQueue<>();
        for (RunQueue<String> r : List.of(q, reference)) {
            r.add("user-a", 60);
            r.add("idle", 90);
            r.add("rt-low", 25);
            r.add("user-b", 60);
            r.add("rt-high", 3);
            r.add("system", 35);
        }
        List<String> taken = new ArrayList<>();
        for (String s; (s = q.takeFirstMatching(t -> true)) != null; ) {
            taken.add(s);
        }

        assertThat(taken).containsExactlyElementsOf(drain(reference))
                .containsExactly("rt-high", "rt-low", "system", "user-a", "user-b", "idle");
        assertThat(q.size()).isZero();
    }

    /** takeFirstMatching skips refused tasks (a pinned one), takes the best allowed, leaves the rest in order. */
    @Test
    void runQueue_takeFirstMatching_skipsRefusedTasks_andKeepsTheRest() {
        RunQueue<String> q = new RunQueue<>();
        q.add("pinned-rt", 3);
        q.add("user-a", 60);
        q.add("free-rt", 25);
        q.add("pinned-user", 50);
        q.add("user-b", 60);
        q.add("idle", 90);

        assertThat(q.takeFirstMatching(t -> !t.startsWith("pinned"))).isEqualTo("free-rt"); // real-time first
        assertThat(q.size()).isEqualTo(5);
        assertThat(q.takeFirstMatching(t -> !t.startsWith("pinned"))).isEqualTo("user-a");
        assertThat(q.takeFirstMatching(t -> t.startsWith("nobody"))).isNull();
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.positionOf("pinned-rt")).isEqualTo(1);

        assertThat(drain(q)).containsExactly("pinned-rt", "pinned-user", "user-b", "idle");
    }

    /** takeFirstMatching removes exactly the one entry it returns, by identity, even among equal tasks. */
    @Test
    void runQueue_takeFirstMatching_removesOneEntry() {
        RunQueue<String> q = new RunQueue<>();
        q.add("same", 60);
        q.add("same", 60);
        q.add("other", 60);

        assertThat(q.takeFirstMatching("same"::equals)).isEqualTo("same");
        assertThat(q.size()).isEqualTo(2);
        assertThat(drain(q)).containsExactly("same", "other");
        assertThat(q.takeFirstMatching(t -> true)).isNull();
        assertThat(q.size()).isZero();
    }

    /** takeFirstMatching honours aging: a low-priority NORMAL task that waited long enough beats a fresh one. */
    @Test
    void runQueue_takeFirstMatching_followsAging() {
        RunQueue<String> q = new RunQueue<>();
        q.add("low", 80);
        for (int i = 0; i < RunQueue.MAX_AGING_BOOST * RunQueue.AGING_DISPATCHES; i++) {
            q.add("urgent" + i, 31);
            assertThat(q.next()).isEqualTo("urgent" + i); // 31 beats 80 even fully aged (60)
        }
        q.add("fresh", 60);

        assertThat(q.takeFirstMatching(t -> true)).as("low aged to 60, and waited longer").isEqualTo("low");
    }

    /** A take is not a dispatch of the queue: tasks left behind age only by the queue's own dispatches. */
    @Test
    void runQueue_takeFirstMatching_doesNotCountADispatch() {
        RunQueue<String> taken = new RunQueue<>();
        RunQueue<String> dispatched = new RunQueue<>();
        for (RunQueue<String> r : List.of(taken, dispatched)) {
            r.add("low", 80);
            for (int i = 0; i < 2 * RunQueue.AGING_DISPATCHES; i++) {
                r.add("s" + i, 31);
            }
        }
        for (int i = 0; i < 2 * RunQueue.AGING_DISPATCHES; i++) {
            assertThat(taken.takeFirstMatching(t -> t.startsWith("s"))).isEqualTo("s" + i);
            assertThat(dispatched.next()).isEqualTo("s" + i);
        }
        taken.add("fresh", 79);
        dispatched.add("fresh", 79);

        assertThat(dispatched.next()).as("8 dispatches aged low to 78, before a fresh 79").isEqualTo("low");
        assertThat(taken.next()).as("8 takes aged nobody: low is still 80").isEqualTo("fresh");
    }

    private static List<String> drain(RunQueue<String> q) {
        List<String> out = new ArrayList<>();
        for (String s; (s = q.next()) != null; ) {
            out.add(s);
        }
        return out;
    }

    private static int[] ints(String csv) {
        return csv.isBlank() ? new int[0] : java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static boolean[] bools(String csv) {
        String[] p = csv.split(",");
        boolean[] b = new boolean[p.length];
        for (int i = 0; i < p.length; i++) {
            b[i] = Boolean.parseBoolean(p[i]);
        }
        return b;
    }
}
