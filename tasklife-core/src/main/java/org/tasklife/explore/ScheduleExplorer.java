package org.tasklife.explore;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.FailurePolicy;
import org.tasklife.GroupMain;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskFailedException;
import org.tasklife.TaskGroup;
import org.tasklife.internal.sched.Choices;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.sched.DeterministicAccess;
import org.tasklife.internal.sched.ScriptedChoices;

/**
 * Runs a scenario under many schedules of the deterministic mode and reports the first one that fails,
 * as a {@link Schedule} that replays it exactly.
 *
 * <p>Two ways to pick the schedules:
 * <ul>
 * <li>{@link #seeds(long, int)}: one run per seed, in order: cheap, and good at finding races that many
 *     interleavings show.</li>
 * <li>{@link #exhaustive(int)}: every schedule with at most {@code k} preemptions, depth first (stateless
 *     model checking, as CHESS does: each run follows a decision list, and the next run changes its last
 *     decision that still has an untried option). Within the bound and {@link #maxRuns(int)}, an empty
 *     {@link Result#firstFailure()} with {@link Result#exhausted()} means <em>no</em> schedule fails, not
 *     just none of those tried. Bugs of real programs tend to need few preemptions; 2 is a good
 *     start.</li>
 * </ul>
 *
 * <p>Each run boots a fresh deterministic kernel, spawns the scenario as the main task of a group in a
 * {@link DomainOptions#stopWhenEmpty(boolean) stopWhenEmpty} domain, and waits for the domain to stop. The run
 * fails if:
 * <ul>
 * <li>the group does not end with {@code Exited(0)} (an assertion that throws inside any of its tasks
 *     fails it, see {@link FailurePolicy});</li>
 * <li>tasks are still blocked after {@link #virtualTimeLimit} of virtual time: a deadlock or a lost
 *     wake-up (the report shows where each task is blocked);</li>
 * <li>owned resources are left open once every task ended;</li>
 * <li>a task is blocked outside tasklife while holding the CPU (a JDK lock, {@code Object.wait}, I/O:
 *     the watchdog's report, with the stack);</li>
 * <li>the run takes longer than {@link #realTimeLimit} of real time;</li>
 * <li>(exhaustive) it does not follow the decisions of an earlier run with the same prefix: the scenario
 *     is not a function of the schedule, and exploring it would prove nothing.</li>
 * </ul>
 *
 * <p>The scenario must do all its work inside its tasks and be the same program at each run: create
 * its primitives and state inside {@code scenario.run()}; no randomness, no real time, no host threads
 * acting on the kernel. What else the seed does not control is listed at
 * {@link Kernel.Builder#deterministic(long)}. A failed run may leave a task that no kill could end
 * parked for good (that is what some bugs do). The explorer stops at the first failure and then
 * simplifies its schedule ({@link #shrinkRuns}), so that the reported decision list holds only the
 * preemptions and choices the failure needs.
 *
 * <pre>{@code
 * ScheduleExplorer.Result r = ScheduleExplorer.exhaustive(2).explore(() -> {
 *     Mutex m = new Mutex();
 *     ...spawn tasks, join them, assert...
 *     return 0;
 * });
 * r.firstFailure().ifPresent(f -> System.out.println(f.schedule() + ": " + f.reason()));
 * }</pre>
 */
public final class ScheduleExplorer {
    private final long firstSeed;
    private final int seedCount;      // seeds mode
    private final int maxPreemptions; // exhaustive mode; -1 in seeds mode
    private int maxRuns;
    private int shrinkRuns = 100;
    private Duration virtualTimeLimit = Duration.ofDays(1);
    private Duration realTimeLimit = Duration.ofSeconds(30);

    private ScheduleExplorer(long firstSeed, int seedCount, int maxPreemptions, int maxRuns) {
        this.firstSeed = firstSeed;
        this.seedCount = seedCount;
        this.maxPreemptions = maxPreemptions;
        this.maxRuns = maxRuns;
    }

    /**
     * One run per seed, {@code first} to {@code first + count - 1}.
     *
     * @param first the first seed
     * @param count how many seeds
     * @return the explorer
     * @throws IllegalArgumentException if {@code count < 1}
     */
    public static ScheduleExplorer seeds(long first, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        return new ScheduleExplorer(first, count, -1, count);
    }

    /**
     * Every schedule with at most {@code maxPreemptions} preemptions (and any choice of the next task
     * whenever the running one blocks or ends), up to {@link #maxRuns(int)} runs (default 10,000).
     *
     * @param maxPreemptions the most preemptions in one schedule
     * @return the explorer
     * @throws IllegalArgumentException if {@code maxPreemptions < 0}
     */
    public static ScheduleExplorer exhaustive(int maxPreemptions) {
        if (maxPreemptions < 0) {
            throw new IllegalArgumentException("maxPreemptions must be >= 0, was " + maxPreemptions);
        }
        return new ScheduleExplorer(0, 0, maxPreemptions, 10_000);
    }

    /**
     * At most {@code runs} runs (for seeds: fewer seeds than asked).
     *
     * @param runs the most runs
     * @return this explorer
     * @throws IllegalArgumentException if {@code runs < 1}
     */
    public ScheduleExplorer maxRuns(int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("maxRuns must be at least 1, was " + runs);
        }
        this.maxRuns = runs;
        return this;
    }

    /**
     * At most {@code runs} more runs spent simplifying a failing schedule (default 100; 0: report it as
     * found). Simplifying replays the failing decision list with one non-zero decision at a time set to 0
     * (no preemption there, or the first runnable task) and keeps each change after which the scenario
     * still fails for the same reason (the first line of {@link Failure#reason()}), until no single change
     * is kept: what is left are the preemptions and choices the failure needs.
     *
     * @param runs the most runs spent shrinking
     * @return this explorer
     * @throws IllegalArgumentException if {@code runs < 0}
     */
    public ScheduleExplorer shrinkRuns(int runs) {
        if (runs < 0) {
            throw new IllegalArgumentException("shrinkRuns must be >= 0, was " + runs);
        }
        this.shrinkRuns = runs;
        return this;
    }

    /**
     * How much virtual time a run may take before its blocked tasks count as deadlocked. Default 1 day.
     *
     * @param limit the virtual time limit of one run
     * @return this explorer
     * @throws IllegalArgumentException if not positive
     */
    public ScheduleExplorer virtualTimeLimit(Duration limit) {
        this.virtualTimeLimit = positive(limit, "virtualTimeLimit");
        return this;
    }

    /**
     * How much real time a run may take (a guard against code that blocks outside tasklife). Default 30 s.
     *
     * @param limit the real time limit of one run
     * @return this explorer
     * @throws IllegalArgumentException if not positive
     */
    public ScheduleExplorer realTimeLimit(Duration limit) {
        this.realTimeLimit = positive(limit, "realTimeLimit");
        return this;
    }

    /**
     * What an exploration found.
     *
     * @param runs the runs made until the first failure or the end (shrinking runs not counted)
     * @param exhausted whether every schedule asked for was run: every seed, or every schedule within the
     *     preemption bound
     * @param distinctTraces the number of distinct scheduler traces seen
     * @param firstFailure the first failing run, shrunk, if any
     */
    public record Result(int runs, boolean exhausted, int distinctTraces, Optional<Failure> firstFailure) {
        /** {@return whether a run failed} */
        public boolean failed() {
            return firstFailure.isPresent();
        }
    }

    /**
     * A failing run.
     *
     * @param schedule the simplest failing schedule found (see {@link #shrinkRuns}), as a decision list:
     *        boot a kernel on it ({@link Schedule#applyTo(Kernel.Builder)}) or pass it to
     *        {@link #replay} to run it again, identically; its non-zero decisions are the preemptions and
     *        choices the failure needs
     * @param found the schedule the search found failing first: a seed, or a decision list
     * @param reason what failed in the run of {@code schedule}, with the blocked tasks or the exit status
     * @param cause the throwable that failed the scenario, if any
     * @param trace the scheduler's trace of the run of {@code schedule} (one hand-off per line)
     */
    public record Failure(Schedule schedule, Schedule found, String reason, Optional<Throwable> cause,
            List<String> trace) {
        /** Lists are copied. */
        public Failure {
            trace = List.copyOf(trace);
        }
    }

    /**
     * Explores {@code scenario} (see the class notes for what fails a run).
     *
     * @param scenario the main of the group each run starts; it spawns tasks and asserts
     * @return the runs made, whether the exhaustive search covered every schedule within its bound, the
     *         number of distinct traces seen, and the first failure
     */
    public Result explore(GroupMain scenario) {
        Objects.requireNonNull(scenario, "scenario");
        Set<String> traces = new HashSet<>();
        if (maxPreemptions < 0) {
            int runs = Math.min(seedCount, maxRuns);
            for (int i = 0; i < runs; i++) {
                // recorded while the seed decides: what the seed alone does, plus the decision list to shrink
                ScriptedChoices seeded = new ScriptedChoices(new int[0], null, Integer.MAX_VALUE,
                        Schedule.seed(firstSeed + i).newChoices());
                Run r = runOnce(seeded, scenario);
                traces.add(r.traceKey);
                if (r.failure != null) {
                    return new Result(i + 1, false, traces.size(), Optional.of(shrink(seeded.chosen(), r.failure,
                            Schedule.seed(firstSeed + i), scenario)));
                }
            }
            return new Result(runs, runs == seedCount, traces.size(), Optional.empty());
        }
        int[] prefix = {};
        int[] expected = {};
        for (int runs = 1; ; runs++) {
            ScriptedChoices script = new ScriptedChoices(prefix, expected, maxPreemptions);
            Run r = runOnce(script, scenario);
            traces.add(r.traceKey);
            int[] options = script.options();
            int[] chosen = script.chosen();
            Schedule s = Schedule.choices(chosen);
            if (script.divergence() != null) {
                return new Result(runs, false, traces.size(), Optional.of(new Failure(s, s, "the scenario is not a "
                        + "function of the schedule: " + script.divergence() + " (host code acting while tasks run, "
                        + "randomness or real time?)", Optional.empty(), r.trace)));
            }
            if (r.failure != null) {
                return new Result(runs, false, traces.size(), Optional.of(shrink(chosen, r.failure, s, scenario)));
            }
            int i = chosen.length - 1;
            while (i >= 0 && chosen[i] + 1 >= options[i]) {
                i--; // depth first: the last decision with an untried option
            }
            if (i < 0) {
                return new Result(runs, true, traces.size(), Optional.empty());
            }
            if (runs >= maxRuns) {
                return new Result(runs, false, traces.size(), Optional.empty());
            }
            prefix = Arrays.copyOf(chosen, i + 1);
            prefix[i]++;
            expected = Arrays.copyOf(options, i + 1);
        }
    }

    /**
     * Runs {@code scenario} once on {@code schedule}, with this explorer's limits.
     *
     * @param schedule the schedule to follow, as a reported failure gives it
     * @param scenario the main of the group the run starts
     * @return the failure, if the run fails
     */
    public Optional<Failure> replay(Schedule schedule, GroupMain scenario) {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(scenario, "scenario");
        Run r = runOnce(schedule.newChoices(), scenario);
        return r.failure == null ? Optional.empty() : Optional.of(r.failure.at(schedule, schedule));
    }

    /**
     * Greedy simplification of a failing decision list (see {@link #shrinkRuns}): one non-zero decision
     * at a time set to 0, kept if the run still fails for the same reason and its recorded decisions are
     * simpler (fewer non-zero ones, then a smaller sum); repeated until no single change is kept.
     */
    private Failure shrink(int[] decisions, Unplaced failure, Schedule found, GroupMain scenario) {
        String reason = firstLine(failure.reason);
        int[] best = Schedule.choices(decisions).decisions();
        Unplaced bestFailure = failure;
        int runs = 0;
        boolean kept = true;
        while (kept && runs < shrinkRuns) {
            kept = false;
            for (int i = best.length - 1; i >= 0 && runs < shrinkRuns; i--) {
                if (best[i] == 0) {
                    continue;
                }
                int[] candidate = best.clone();
                candidate[i] = 0;
                ScriptedChoices script = new ScriptedChoices(candidate, null, Integer.MAX_VALUE);
                Run r = runOnce(script, scenario);
                runs++;
                int[] got = Schedule.choices(script.chosen()).decisions();
                if (r.failure != null && firstLine(r.failure.reason).equals(reason) && simpler(got, best)) {
                    best = got;
                    bestFailure = r.failure;
                    kept = true;
                    break; // start over from the end of the simpler list
                }
            }
        }
        return bestFailure.at(Schedule.choices(best), found);
    }

    /** {@code d}, if positive: durations too long to count in nanoseconds saturate where they are used. */
    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    private static boolean simpler(int[] a, int[] b) {
        long nonZeroA = Arrays.stream(a).filter(x -> x != 0).count();
        long nonZeroB = Arrays.stream(b).filter(x -> x != 0).count();
        return nonZeroA != nonZeroB ? nonZeroA < nonZeroB : Arrays.stream(a).sum() < Arrays.stream(b).sum();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A failure before its schedule is known (the decisions are read after the run). */
    private record Unplaced(String reason, Throwable cause, List<String> trace) {
        Failure at(Schedule s, Schedule found) {
            return new Failure(s, found, reason, Optional.ofNullable(cause), trace);
        }
    }

    private record Run(String traceKey, List<String> trace, Unplaced failure) {}

    private Run runOnce(Choices choices, GroupMain scenario) {
        // only the watchdog's reports decide a run: a killed task slower than its grace period is reported
        // by the reaper thread at a moment real time decides; whether the run ends is what counts
        CompletableFuture<StuckTaskReport> stuck = new CompletableFuture<>();
        Kernel.Builder b = Kernel.builder().name("explore").jmx(false).onStuckTask(r -> {
            if (r.waitChannel().startsWith(CpuScheduler.BLOCKED_OUTSIDE)) {
                stuck.complete(r);
            }
        });
        DeterministicAccess.decide(b, () -> choices); // one boot: the explorer reads back what it recorded
        Kernel k = b.boot();
        String reason = null;
        Throwable cause = null;
        Domain d = null;
        List<String> trace;
        try {
            d = k.createDomain(DomainOptions.named("scenario").stopWhenEmpty(true));
            TaskGroup g = d.spawnGroup("scenario", scenario);
            // the host waits on a thread of its own: a task blocked outside tasklife keeps the CPU and the
            // virtual clock, and only the stuck report or real time can end that
            CompletableFuture<Boolean> stopped = new CompletableFuture<>();
            Domain scenarioDomain = d;
            Thread.ofPlatform().daemon().name("tasklife-explorer-wait").start(() -> {
                try {
                    stopped.complete(scenarioDomain.awaitStopped(virtualTimeLimit));
                } catch (Throwable t) {
                    stopped.completeExceptionally(t);
                }
            });
            Object first = CompletableFuture.anyOf(stopped, stuck).get(realTimeLimit.toNanos(), TimeUnit.NANOSECONDS);
            if (first instanceof StuckTaskReport report) {
                reason = "a task is blocked outside tasklife: " + report.render();
            } else if (!Boolean.TRUE.equals(first)) {
                reason = "tasks still blocked after " + virtualTimeLimit + " of virtual time (a deadlock or a lost"
                        + " wake-up):\n" + k.snapshot().renderTree();
            } else {
                ExitStatus status = g.onExit().getNow(null);
                if (status instanceof ExitStatus.Failed f) {
                    reason = "the scenario failed: " + f.cause();
                    cause = f.cause() instanceof TaskFailedException tf && tf.getCause() != null ? tf.getCause() : f.cause();
                } else if (status == null || !status.isSuccess()) {
                    reason = "the scenario ended " + status + ", not Exited(0)";
                } else if (k.openResourceCount() != 0) {
                    reason = k.openResourceCount() + " owned resources still open after every task ended";
                }
            }
        } catch (TimeoutException e) {
            reason = "the run took more than " + realTimeLimit + " of real time (a task blocked outside tasklife?);"
                    + " scenario domain " + d.state() + " with " + d.liveTaskCount() + " live tasks:\n"
                    + k.snapshot().renderTree();
        } catch (ExecutionException e) {
            reason = "the explorer's wait failed: " + e.getCause();
            cause = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "the explorer was interrupted";
            cause = e;
        } finally {
            trace = k.schedulerTrace(); // before close: its kills are host actions, outside the schedule
            // a failed run may hold a task no kill can end (what some bugs do): do not wait long for it
            ShutdownReport report = k.close(reason == null ? Duration.ofSeconds(10) : Duration.ofMillis(200));
            if (reason == null && !report.isClean()) {
                reason = "tasks did not end at close: " + report.stuck();
            }
        }
        String key = trace.size() + ":" + trace.hashCode();
        return new Run(key, trace, reason == null ? null : new Unplaced(reason, cause, trace));
    }
}
