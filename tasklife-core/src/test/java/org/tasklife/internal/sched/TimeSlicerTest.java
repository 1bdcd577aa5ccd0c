package org.tasklife.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.ManualClock;

/** Default mode's time slices (SPEC K4) on the slicer itself: its tick, its slice test and the give-up. */
class TimeSlicerTest {
    private static final long SLICE = Duration.ofMillis(10).toNanos();

    private final List<TimeSlicer> started = new ArrayList<>();

    private TimeSlicer start(ManualClock clock, long sliceNanos) {
        TimeSlicer s = TimeSlicer.start("test-tick", clock, sliceNanos);
        started.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        started.forEach(TimeSlicer::close);
    }

    /** The tick publishes the clock's reading: a clock that moves is seen by safe points within a period. */
    @Test
    void tick_clockAdvanced_readingFollows() {
        ManualClock clock = new ManualClock();
        TimeSlicer s = start(clock, SLICE);
        assertThat(s.nanoTimeOpaque()).as("read at start").isEqualTo(ManualClock.DEFAULT_START);

        long now = clock.advance(Duration.ofSeconds(3));
        Await.until("the tick to read the advanced clock", () -> s.nanoTimeOpaque() == now,
                () -> "reading " + s.nanoTimeOpaque() + ", clock " + now);
    }

    /** A slice is over once a whole slice has passed on the kernel's clock, not before. */
    @Test
    void isOver_clockAtSliceBoundary_trueFromTheBoundaryOn() {
        ManualClock clock = new ManualClock();
        TimeSlicer s = start(clock, SLICE);
        long since = clock.nanoTime();

        long almost = clock.advanceNanos(SLICE - 1);
        Await.until("tick", () -> s.nanoTimeOpaque() == almost);
        assertThat(s.isOver(since)).as("one nanosecond short").isFalse();

        long boundary = clock.advanceNanos(1);
        Await.until("tick", () -> s.nanoTimeOpaque() == boundary);
        assertThat(s.isOver(since)).as("exactly one slice").isTrue();
        assertThat(s.isOver(boundary)).as("a slice that starts now").isFalse();
    }

    /** Closing the slicer ends its tick thread. */
    @Test
    void close_tickRunning_threadEnds() {
        TimeSlicer s = start(new ManualClock(), SLICE);
        assertThat(s.isTicking()).isTrue();

        s.close();

        Await.until("the tick thread to end", () -> !s.isTicking());
    }

    /** A slice must be positive; the message names it. */
    @Test
    void start_sliceNotPositive_throwsNamingIt() {
        assertThatThrownBy(() -> TimeSlicer.start("bad", new ManualClock(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sliceNanos must be positive");
    }

    /** Giving up the carrier with an interrupt pending keeps the interrupt for the caller (SPEC K5a). */
    @Test
    void giveUpCarrier_interruptPending_interruptKept() throws Exception {
        AtomicBoolean keptVirtual = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread v = Thread.ofVirtual().start(() -> {
            try {
                Thread.currentThread().interrupt();
                TimeSlicer.giveUpCarrier();
                keptVirtual.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertThat(v.join(Await.LONG)).isTrue();
        assertThat(failure.get()).isNull();
        assertThat(keptVirtual.get()).as("virtual thread").isTrue();

        Thread.currentThread().interrupt();
        TimeSlicer.giveUpCarrier();
        assertThat(Thread.interrupted()).as("platform thread").isTrue();
    }
}
