package org.tasklife.testkit;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An AutoCloseable that records how often and on which thread it was closed. */
public final class TrackedResource implements AutoCloseable {
    private final String name;
    private final AtomicInteger closes = new AtomicInteger();
    private final CopyOnWriteArrayList<String> closingThreads = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<String> log; // shared order log, may be null
    private final RuntimeException failure;

    /** A resource logging its close into {@code log} (may be null). */
    public TrackedResource(String name, CopyOnWriteArrayList<String> log) {
        this(name, log, null);
    }

    /** A resource whose close throws {@code failure} (after counting). */
    public TrackedResource(String name, CopyOnWriteArrayList<String> log, RuntimeException failure) {
        this.name = name;
        this.log = log;
        this.failure = failure;
    }

    /** A resource with no shared log. */
    public TrackedResource(String name) {
        this(name, null, null);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        closingThreads.add(Thread.currentThread().getName());
        if (log != null) {
            log.add(name);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** How many times close() ran. */
    public int closeCount() {
        return closes.get();
    }

    /** Names of the threads that closed it. */
    public java.util.List<String> closingThreads() {
        return java.util.List.copyOf(closingThreads);
    }

    @Override
    public String toString() {
        return "TrackedResource[" + name + ", closes=" + closes + "]";
    }
}
