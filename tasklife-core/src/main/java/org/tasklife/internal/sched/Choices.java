package org.tasklife.internal.sched;

import java.util.Random;

/**
 * Where the deterministic scheduler's decisions come from: a seed, or a script written by the schedule
 * explorer ({@link ScriptedChoices}). The scheduler asks only under its lock, always in the order the
 * token holders reach their decisions, so the answers alone fix the interleaving.
 */
public interface Choices {
    /**
     * Which of {@code options} runnable tasks gets the CPU next.
     *
     * @param options at least 1
     * @return an index in {@code [0, options)}, into the runnable tasks in the order they became runnable
     */
    int pick(int options);

    /** Whether the running task gives its CPU up at this safe point (another task is runnable). */
    boolean preempt();

    /** Decisions drawn from {@code seed}: a uniform pick, and a preemption at one safe point in four. */
    static Choices seeded(long seed) {
        Random random = new Random(seed);
        return new Choices() {
            @Override
            public int pick(int options) {
                return random.nextInt(options);
            }

            @Override
            public boolean preempt() {
                return random.nextInt(4) == 0;
            }
        };
    }
}
