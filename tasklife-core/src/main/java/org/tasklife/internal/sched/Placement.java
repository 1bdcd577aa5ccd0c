package org.tasklife.internal.sched;

/**
 * Where a task goes (seed-systems §6 V6, V7): the least-loaded online CPU its affinity allows, ties to
 * the lowest id. Unlike VeridianOS, an affinity that allows no online CPU is an error, never a silent
 * fallback to CPU 0 nor a task that is never scheduled.
 */
public final class Placement {
    private Placement() {}

    /**
     * The least-loaded CPU among those that are online and in {@code affinity}.
     *
     * @param loads the load of each CPU (any non-negative measure, e.g. queued tasks); index = CPU id
     * @param online whether each CPU takes tasks; same length as {@code loads}
     * @return the CPU id
     * @throws IllegalArgumentException if no online CPU is in {@code affinity}, naming the mask and the CPUs
     */
    public static int leastLoaded(int[] loads, boolean[] online, CpuSet affinity) {
        if (loads.length != online.length) {
            throw new IllegalArgumentException("loads and online must have one entry per CPU: " + loads.length + " vs "
                    + online.length);
        }
        int best = -1;
        for (int cpu = 0; cpu < loads.length; cpu++) {
            if (online[cpu] && affinity.contains(cpu) && (best < 0 || loads[cpu] < loads[best])) {
                best = cpu; // strictly less: ties stay with the lowest id
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("affinity " + affinity + " allows no online CPU of the "
                    + loads.length + " this kernel has (online: " + onlineIds(online) + ")");
        }
        return best;
    }

    private static String onlineIds(boolean[] online) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < online.length; i++) {
            if (online[i]) {
                b.append(b.length() > 1 ? ", " : "").append(i);
            }
        }
        return b.append('}').toString();
    }
}
