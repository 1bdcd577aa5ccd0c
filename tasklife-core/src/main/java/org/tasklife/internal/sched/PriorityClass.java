package org.tasklife.internal.sched;

/**
 * The VeridianOS priority classes (seed-systems §6 V5): a numeric priority, lower is more urgent, falls
 * in one class; each class has a base priority and a scheduling class.
 *
 * <pre>
 *   0–10 REAL_TIME_HIGH (0)   11–20 REAL_TIME_NORMAL (10)   21–30 REAL_TIME_LOW (20)
 *  31–40 SYSTEM_HIGH (30)     41–50 SYSTEM_NORMAL (40)      51–60 USER_HIGH (50)
 *  61–70 USER_NORMAL (60)     71–80 USER_LOW (70)           > 80  IDLE (99)
 * </pre>
 * Classes up to REAL_TIME_LOW schedule as {@link SchedulingClass#REAL_TIME}, IDLE as
 * {@link SchedulingClass#IDLE}, the rest as {@link SchedulingClass#NORMAL}.
 */
public enum PriorityClass {
    REAL_TIME_HIGH(10, 0),
    REAL_TIME_NORMAL(20, 10),
    REAL_TIME_LOW(30, 20),
    SYSTEM_HIGH(40, 30),
    SYSTEM_NORMAL(50, 40),
    USER_HIGH(60, 50),
    USER_NORMAL(70, 60),
    USER_LOW(80, 70),
    IDLE(Integer.MAX_VALUE, 99);

    /** The default priority of a task: {@link #USER_NORMAL}'s base. */
    public static final int DEFAULT_PRIORITY = 60;

    private final int upTo;
    private final int base;

    PriorityClass(int upTo, int base) {
        this.upTo = upTo;
        this.base = base;
    }

    /**
     * The class of a numeric priority.
     *
     * @throws IllegalArgumentException if {@code priority} is negative
     */
    public static PriorityClass of(int priority) {
        if (priority < 0) {
            throw new IllegalArgumentException("priority must be at least 0 (most urgent), was " + priority);
        }
        for (PriorityClass c : values()) {
            if (priority <= c.upTo) {
                return c;
            }
        }
        throw new AssertionError("IDLE covers every priority above 80");
    }

    /** The class's base priority. */
    public int base() {
        return base;
    }

    /** How tasks of this class are scheduled. */
    public SchedulingClass schedulingClass() {
        if (compareTo(REAL_TIME_LOW) <= 0) {
            return SchedulingClass.REAL_TIME;
        }
        return this == IDLE ? SchedulingClass.IDLE : SchedulingClass.NORMAL;
    }
}
