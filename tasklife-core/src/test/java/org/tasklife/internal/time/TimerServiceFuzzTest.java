package org.tasklife.internal.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tasklife.testkit.ManualClock;

/**
 * Seeded random operation sequences against {@link TimerService}, compared after every operation
 * with a trivial reference model: a list of pending entries ordered by (deadline, scheduling
 * order). Failures name the seed and the operation index, so a run can be replayed exactly.
 */
class TimerServiceFuzzTest {

    private static final int SEEDS = 20;
    private static final int OPS = 2_000;

    /** Small offsets reused often, so that equal deadlines and already-past deadlines are common. */
    private static final long[] OFFSET_POOL = {-3, 0, 0, 1, 5, 10};

    /** One armed entry of the reference model. */
    private record Entry(int id, long deadline, long seq) { }

    private enum Op { SCHEDULE, SCHEDULE_BURST, CANCEL, CANCEL_BURST, ADVANCE_AND_FIRE, FIRE, CHECK_PENDING }

    static LongStream seeds() {
        return LongStream.range(0, SEEDS).map(i -> 0x5EED_0000L + i);
    }

    /**
     * For every seed, the service fires exactly the entries the model says are due, in the
     * model's order; cancel() and isPending() agree with the model; pendingCount() equals the
     * model's size and the heap invariants hold after every operation.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomOps_matchReferenceModel(long seed) {
        Random rnd = new Random(seed);
        long start = switch ((int) (seed % 4)) {
            case 0 -> Long.MAX_VALUE - 10_000;   // raw readings wrap during the run
            case 1 -> -20_000;                   // readings cross zero
            default -> ManualClock.DEFAULT_START;
        };
        ManualClock clock = new ManualClock(start);
        List<Throwable> uncaught = new ArrayList<>();
        TimerService service = new TimerService(clock, "fuzz-" + seed, (t, e) -> uncaught.add(e));

        // per-seed weights, so some runs are cancel-heavy (purges) and others fire-heavy
        int[] weights = {
            30 + rnd.nextInt(30),   // SCHEDULE
            rnd.nextInt(3),         // SCHEDULE_BURST: grows the heap past PURGE_MIN
            10 + rnd.nextInt(30),   // CANCEL
            rnd.nextInt(4),         // CANCEL_BURST
            10 + rnd.nextInt(25),   // ADVANCE_AND_FIRE
            2 + rnd.nextInt(5),     // FIRE
            2 + rnd.nextInt(5),     // CHECK_PENDING
        };
        assertThat(weights).hasSize(Op.values().length);
        int totalWeight = 0;
        for (int w : weights) {
            totalWeight += w;
        }

        // deadlines are ordered by their distance from `start`, which never overflows in this run
        Comparator<Entry> order = Comparator.comparingLong((Entry e) -> e.deadline() - start)
                .thenComparingLong(Entry::seq);
        List<Entry> model = new ArrayList<>();
        List<Timeout> handles = new ArrayList<>();
        Map<Integer, Entry> modelById = new HashMap<>();
        List<Integer> fired = new ArrayList<>();
        long seq = 0;

        try {
            for (int i = 0; i < OPS; i++) {
                int pick = rnd.nextInt(totalWeight);
                Op op = Op.values()[0];
                for (int k = 0; k < weights.length; k++) {
                    if (pick < weights[k]) {
                        op = Op.values()[k];
                        break;
                    }
                    pick -= weights[k];
                }
                String where = "seed " + seed + ", op #" + i + " " + op;
                long now = clock.nanoTime();

                switch (op) {
                    case SCHEDULE -> seq = scheduleAndCompare(service, rnd, now, seq, model, modelById, handles, fired, where);
                    case SCHEDULE_BURST -> {
                        int n = 1 + rnd.nextInt(200);
                        for (int k = 0; k < n; k++) {
                            seq = scheduleAndCompare(service, rnd, now, seq, model, modelById, handles, fired, where + " burst " + k);
                        }
                    }
                    case CANCEL -> {
                        if (!handles.isEmpty()) {
                            cancelAndCompare(rnd.nextInt(handles.size()), handles, model, modelById, where);
                        }
                    }
                    case CANCEL_BURST -> {
                        int n = rnd.nextInt(1 + model.size());
                        for (int k = 0; k < n && !model.isEmpty(); k++) {
                            int id = model.get(rnd.nextInt(model.size())).id();
                            cancelAndCompare(id, handles, model, modelById, where + " burst " + k);
                        }
                    }
                    case ADVANCE_AND_FIRE -> {
                        long step = switch (rnd.nextInt(10)) {
                            case 0 -> 0;
                            case 1 -> 200 + rnd.nextInt(600);
                            default -> rnd.nextInt(40);
                        };
                        clock.advanceNanos(step);
                        fireAndCompare(service, clock, model, modelById, fired, order, where);
                    }
                    case FIRE -> fireAndCompare(service, clock, model, modelById, fired, order, where);
                    case CHECK_PENDING -> {
                        if (!handles.isEmpty()) {
                            int id = rnd.nextInt(handles.size());
                            assertThat(handles.get(id).isPending()).as(where + " id " + id)
                                    .isEqualTo(modelById.containsKey(id));
                        }
                    }
                }
                assertThat(service.pendingCount()).as(where + ": pendingCount").isEqualTo(model.size());
                try {
                    service.assertInvariantsQuiescent();
                } catch (AssertionError e) {
                    throw new AssertionError(where + ": " + e.getMessage(), e);
                }
            }
            // drain everything that can ever fire, then close
            clock.advanceNanos(1_000_000);
            fireAndCompare(service, clock, model, modelById, fired, order, "seed " + seed + ", final drain");
            service.close();
            assertThat(service.pendingCount()).as("seed %d after close", seed).isZero();
            for (Timeout h : handles) {
                assertThat(h.isPending()).as("seed %d after close: %s", seed, h).isFalse();
            }
            assertThat(uncaught).as("seed %d: actions threw", seed).isEmpty();
        } finally {
            service.close();
        }
    }

    /** Schedules one entry with a random deadline in the service and the model; returns the next seq. */
    private static long scheduleAndCompare(TimerService service, Random rnd, long now, long seq, List<Entry> model,
                                           Map<Integer, Entry> modelById, List<Timeout> handles, List<Integer> fired,
                                           String where) {
        long deadline = switch (rnd.nextInt(20)) {
            case 0 -> Clock.deadlineAfter(now, Long.MAX_VALUE);   // "never"
            case 1, 2, 3, 4 -> model.isEmpty()
                    ? now
                    : model.get(rnd.nextInt(model.size())).deadline();   // exact duplicate
            case 5, 6, 7, 8, 9 -> now + OFFSET_POOL[rnd.nextInt(OFFSET_POOL.length)];
            default -> now - 50 + rnd.nextInt(550);
        };
        int id = handles.size();
        Timeout h = service.schedule(deadline, () -> fired.add(id));
        handles.add(h);
        Entry e = new Entry(id, deadline, seq);
        model.add(e);
        modelById.put(id, e);
        assertThat(h.deadline()).as(where).isEqualTo(deadline);
        assertThat(h.isPending()).as(where).isTrue();
        return seq + 1;
    }

    private static void cancelAndCompare(int id, List<Timeout> handles, List<Entry> model,
                                         Map<Integer, Entry> modelById, String where) {
        Entry e = modelById.remove(id);
        boolean expected = e != null;
        if (expected) {
            model.remove(e);
        }
        assertThat(handles.get(id).cancel()).as(where + ": cancel(id " + id + ")").isEqualTo(expected);
        assertThat(handles.get(id).isPending()).as(where + ": isPending(id " + id + ") after cancel").isFalse();
    }

    private static void fireAndCompare(TimerService service, ManualClock clock, List<Entry> model,
                                       Map<Integer, Entry> modelById, List<Integer> fired,
                                       Comparator<Entry> order, String where) {
        long now = clock.nanoTime();
        List<Entry> due = new ArrayList<>();
        for (Entry e : model) {
            if (e.deadline() - now <= 0) {
                due.add(e);
            }
        }
        due.sort(order);
        model.removeAll(due);
        List<Integer> expected = new ArrayList<>();
        for (Entry e : due) {
            modelById.remove(e.id());
            expected.add(e.id());
        }
        fired.clear();
        int ran = service.fireDue();
        assertThat(fired).as(where + ": fired ids, in order, at now=" + now).containsExactlyElementsOf(expected);
        assertThat(ran).as(where + ": fireDue() result").isEqualTo(expected.size());
    }
}
