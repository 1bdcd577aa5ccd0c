package org.tasklife.internal.sched;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A set of CPU ids (an affinity mask, seed-systems §6 V6), of any size: unlike VeridianOS there is no
 * limit of 8 or 64 CPUs. Immutable.
 */
public final class CpuSet {
    private final BitSet bits;

    private CpuSet(BitSet bits) {
        this.bits = bits;
    }

    /**
     * The set of the given CPU ids.
     *
     * @throws IllegalArgumentException if an id is negative
     */
    public static CpuSet of(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) {
            if (c < 0) {
                throw new IllegalArgumentException("CPU ids must be at least 0, got " + Arrays.toString(cpus));
            }
            b.set(c);
        }
        return new CpuSet(b);
    }

    /** CPUs {@code 0..n-1}. */
    public static CpuSet firstN(int n) {
        BitSet b = new BitSet(n);
        b.set(0, n);
        return new CpuSet(b);
    }

    /** Whether {@code cpu} is in the set. */
    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    /** Whether the set has no CPU. */
    public boolean isEmpty() {
        return bits.isEmpty();
    }

    /** The ids in ascending order. */
    public int[] toArray() {
        return bits.stream().toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet s && s.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    @Override
    public String toString() {
        return bits.toString();
    }
}
