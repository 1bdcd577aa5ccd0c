package org.tasklife.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.tasklife.Kernel;
import org.tasklife.internal.sched.Choices;
import org.tasklife.internal.sched.DeterministicAccess;
import org.tasklife.internal.sched.ScriptedChoices;

/**
 * What fixes the interleaving of a deterministic-mode run: a seed, or the explicit list of
 * scheduling decisions a {@link ScheduleExplorer} found. Boot a kernel on one to replay a run, for instance
 * in a debugger: {@code schedule.applyTo(Kernel.builder()).boot()} (see {@link #applyTo}).
 *
 * <p>A decision list holds, for every decision point in order (each pick of the next task among the
 * runnable ones, each safe point where the running task may be preempted), the option taken: an index
 * into the runnable tasks in the order they became runnable, or 1 for "preempt" and 0 for "keep
 * running". Beyond the list every decision is 0. Its text form, {@code "choices 0*12 1 0 2"}, writes a
 * run of {@code k} equal decisions {@code d} as {@code d*k}; a seed's is {@code "seed 42"}. {@link #parse}
 * reads both.
 */
public final class Schedule {
    private final Long seed;
    private final int[] choices;

    private Schedule(Long seed, int[] choices) {
        this.seed = seed;
        this.choices = choices;
    }

    /**
     * The schedule drawn from {@code seed}: what {@link Kernel.Builder#deterministic(long)} follows.
     *
     * @param seed the seed of every scheduling choice
     * @return the schedule
     */
    public static Schedule seed(long seed) {
        return new Schedule(seed, null);
    }

    /**
     * The schedule taking {@code decisions[i]} at the i-th decision point, and 0 beyond them.
     *
     * @param decisions the choice at each decision point, from 0
     * @return the schedule
     * @throws IllegalArgumentException if a decision is negative (naming its index)
     */
    public static Schedule choices(int... decisions) {
        int[] copy = decisions.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] < 0) {
                throw new IllegalArgumentException("decisions[" + i + "] must be >= 0, was " + copy[i]);
            }
        }
        int end = copy.length;
        while (end > 0 && copy[end - 1] == 0) {
            end--; // 0 is the default beyond the list: trailing zeros change nothing
        }
        return new Schedule(null, Arrays.copyOf(copy, end));
    }

    /**
     * Reads the text form: {@code "seed N"} or {@code "choices D D*K ..."} (as {@link #toString()} writes).
     *
     * @param text the text form
     * @return the schedule it describes
     * @throws IllegalArgumentException naming what is wrong, if {@code text} is neither
     */
    public static Schedule parse(String text) {
        String[] words = text.strip().split("\\s+");
        try {
            if (words.length == 2 && words[0].equals("seed")) {
                return seed(Long.parseLong(words[1]));
            }
            if (words[0].equals("choices")) {
                List<Integer> out = new ArrayList<>();
                for (int i = 1; i < words.length; i++) {
                    int star = words[i].indexOf('*');
                    int value = Integer.parseInt(star < 0 ? words[i] : words[i].substring(0, star));
                    int times = star < 0 ? 1 : Integer.parseInt(words[i].substring(star + 1));
                    if (times < 1 || times > 10_000_000) {
                        throw new NumberFormatException("repeat count " + times + " out of 1..10000000");
                    }
                    for (int k = 0; k < times; k++) {
                        out.add(value);
                    }
                }
                return choices(out.stream().mapToInt(Integer::intValue).toArray());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schedule text must be \"seed N\" or \"choices D D*K ...\" with"
                    + " integers, was \"" + text + "\": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("schedule text must be \"seed N\" or \"choices D D*K ...\", was \""
                + text + "\"");
    }

    /** {@return the seed, if this schedule is one} */
    public OptionalLong seedValue() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }

    /** {@return the decision list without its trailing zeros; empty for a seed} */
    public int[] decisions() {
        return choices == null ? new int[0] : choices.clone();
    }

    /**
     * Sets {@code builder} to deterministic mode on this schedule, as {@link Kernel.Builder#deterministic(long)}
     * does for a seed: every kernel it boots runs the interleaving this schedule fixes, the one a
     * {@link ScheduleExplorer.Failure} reports included.
     *
     * <pre>{@code
     * try (Kernel k = failure.schedule().applyTo(Kernel.builder()).boot()) { ... }
     * }</pre>
     *
     * @param builder the builder to set
     * @return {@code builder}
     */
    public Kernel.Builder applyTo(Kernel.Builder builder) {
        DeterministicAccess.decide(builder, this::newChoices);
        return builder;
    }

    /** {@return the scheduler's source of decisions for one run (each run needs its own: it has state)} */
    Choices newChoices() {
        return seed != null ? Choices.seeded(seed) : new ScriptedChoices(choices, null, Integer.MAX_VALUE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule s && java.util.Objects.equals(seed, s.seed) && Arrays.equals(choices, s.choices);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hashCode(seed) + Arrays.hashCode(choices);
    }

    @Override
    public String toString() {
        if (seed != null) {
            return "seed " + seed;
        }
        StringBuilder b = new StringBuilder("choices");
        int i = 0;
        while (i < choices.length) {
            int j = i;
            while (j < choices.length && choices[j] == choices[i]) {
                j++;
            }
            b.append(' ').append(choices[i]);
            if (j - i > 1) {
                b.append('*').append(j - i);
            }
            i = j;
        }
        return b.toString();
    }
}
