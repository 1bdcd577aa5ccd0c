package org.tasklife.internal.sched;

import java.util.Arrays;

/**
 * Decisions read from a script, and the record of every decision point a run reached: what the schedule
 * explorer replays and extends, depth first (one run per schedule, as in CHESS-style stateless model
 * checking). Each decision point has a number of options: a pick among {@code n} runnable tasks offers
 * {@code n}; a safe point offers 2 (stay or give the CPU up) while fewer than {@code maxPreemptions}
 * preemptions happened in this run, else 1. Beyond the script, option 0 (the first runnable task, and no
 * preemption) unless another {@link Choices} decides there.
 *
 * <p>The scheduler calls it under its lock; the explorer reads the record after the run (synchronized,
 * for visibility across those threads).
 */
public final class ScriptedChoices implements Choices {
    private final int[] script;
    private final int[] expectedOptions; // what an earlier run offered at each scripted point; null: unknown
    private final int maxPreemptions;
    private final Choices beyond;        // decides past the script; null: option 0
    private int[] options = new int[64];
    private int[] chosen = new int[64];
    private int points;
    private int preemptions;
    private int divergedAt = -1;
    private String divergence;

    /**
     * @param script the decision to take at each point, in order (0 beyond it)
     * @param expectedOptions the options an earlier run offered at each scripted point, or {@code null}
     * @param maxPreemptions preemptions offered as decisions per run ({@link Integer#MAX_VALUE}: any)
     * @throws IllegalArgumentException if a scripted decision is negative, the two arrays differ in length,
     *         or {@code maxPreemptions} is negative
     */
    public ScriptedChoices(int[] script, int[] expectedOptions, int maxPreemptions) {
        this(script, expectedOptions, maxPreemptions, null);
    }

    /**
     * Like {@link #ScriptedChoices(int[], int[], int)}, with {@code beyond} deciding past the script (so a
     * seeded run is recorded: {@code new ScriptedChoices(new int[0], null, Integer.MAX_VALUE, seeded)}
     * asks the seed exactly what the seed alone would be asked).
     */
    public ScriptedChoices(int[] script, int[] expectedOptions, int maxPreemptions, Choices beyond) {
        for (int i = 0; i < script.length; i++) {
            if (script[i] < 0) {
                throw new IllegalArgumentException("script[" + i + "] must be >= 0, was " + script[i]);
            }
        }
        if (expectedOptions != null && expectedOptions.length != script.length) {
            throw new IllegalArgumentException("expectedOptions must match the script: " + expectedOptions.length
                    + " vs " + script.length);
        }
        if (maxPreemptions < 0) {
            throw new IllegalArgumentException("maxPreemptions must be >= 0, was " + maxPreemptions);
        }
        this.script = script.clone();
        this.expectedOptions = expectedOptions == null ? null : expectedOptions.clone();
        this.maxPreemptions = maxPreemptions;
        this.beyond = beyond;
    }

    @Override
    public synchronized int pick(int n) {
        return decide(n, "pick among " + n, points >= script.length && beyond != null ? beyond.pick(n) : 0);
    }

    @Override
    public synchronized boolean preempt() {
        int n = preemptions < maxPreemptions ? 2 : 1;
        int unscripted = points >= script.length && beyond != null && n == 2 && beyond.preempt() ? 1 : 0;
        boolean yes = decide(n, "preempt?", unscripted) == 1;
        if (yes) {
            preemptions++;
        }
        return yes;
    }

    private int decide(int n, String what, int unscripted) {
        int i = points;
        int c = i < script.length ? script[i] : unscripted;
        if (i < script.length && divergedAt < 0 && (c >= n || (expectedOptions != null && expectedOptions[i] != n))) {
            divergedAt = i;
            divergence = "decision " + i + " (" + what + ") offered " + n + " options where "
                    + (c >= n ? "the script chose " + c : "an earlier run offered " + expectedOptions[i]);
        }
        if (c >= n) {
            c = 0;
        }
        if (i == options.length) {
            options = Arrays.copyOf(options, i * 2);
            chosen = Arrays.copyOf(chosen, i * 2);
        }
        options[i] = n;
        chosen[i] = c;
        points++;
        return c;
    }

    /** The options offered at each decision point reached, in order. */
    public synchronized int[] options() {
        return Arrays.copyOf(options, points);
    }

    /** The decision taken at each point reached, in order. */
    public synchronized int[] chosen() {
        return Arrays.copyOf(chosen, points);
    }

    /**
     * Why this run did not follow its script ({@code null} if it did): the scenario is not a function of
     * the decisions (host code acting while tasks run, randomness, real time).
     */
    public synchronized String divergence() {
        return divergence;
    }
}
