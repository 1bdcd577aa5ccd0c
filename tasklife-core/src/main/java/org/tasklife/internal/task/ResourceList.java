package org.tasklife.internal.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resources owned by one task or group (contract O1–O3): closed exactly once, in reverse order of
 * registration, never under a lock, each failure recorded and the rest still closed.
 */
public final class ResourceList {
    /*
     * Implementation notes
     *
     * Exactly once: each entry has a state word OPEN -> CLOSED | RELEASED decided by one CAS, so the
     * owner's own exit sequence and the reaper's force-close (contract K8) may both run closeAll(); each
     * resource is closed by whichever wins. closeAll() takes the list out under the monitor and closes
     * after unlocking (DESIGN I5). Once closed, the list refuses new entries: a resource registered on
     * an ended owner would otherwise never close.
     *
     * A closeAll() that finds the list taken by another one still closing (the owner's exit sequence,
     * stuck in a close() that blocks) goes through the same taken entries: it skips the one being closed
     * (already CLOSED) and closes the rest. The taken list is kept in `closing` until one pass over it
     * ended; it is never modified after it was taken (add refuses, remove ignores a closed list), so both
     * passes may read it without the monitor.
     */

    /** {@link #entries} once closed: refuses registrations. */
    private static final ArrayList<Entry> CLOSED_LIST = new ArrayList<>(0);

    /**
     * The one closed, empty list (shared, immutable in effect): what an owner that never registered anything
     * has once it ended, instead of a list of its own (memory per task). Every operation on it is a no-op:
     * add refuses, takeAll finds nothing, and it never has an entry to count.
     */
    private static final ResourceList CLOSED_EMPTY = new ResourceList(null, CLOSED_LIST);

    private final AtomicLong openCounter;       // kernel-wide count of open entries (audits)
    // guarded by this (brief, never blocking, no user code: no pinning concern); null until the first
    // registration (most tasks own nothing: memory per task), CLOSED_LIST once closed
    private ArrayList<Entry> entries;
    private ArrayList<Entry> closing;           // guarded by this: the taken entries while a pass closes them

    /** @param openCounter incremented per registered entry, decremented when it closes or is released */
    public ResourceList(AtomicLong openCounter) {
        this.openCounter = openCounter;
    }

    private ResourceList(AtomicLong openCounter, ArrayList<Entry> entries) {
        this.openCounter = openCounter;
        this.entries = entries;
    }

    /** The shared closed, empty list: refuses every registration, has nothing to close. */
    public static ResourceList closedEmpty() {
        return CLOSED_EMPTY;
    }

    /**
     * Registers {@code resource}.
     *
     * @return its entry, or {@code null} if this list is already closed (the owner ended)
     */
    public Entry add(AutoCloseable resource) {
        Entry e = new Entry(this, resource);
        synchronized (this) {
            if (entries == CLOSED_LIST) {
                return null;
            }
            if (entries == null) {
                entries = new ArrayList<>(2);
            }
            entries.add(e);
            openCounter.incrementAndGet();
        }
        return e;
    }

    /** Number of entries still open. */
    public int size() {
        synchronized (this) {
            return entries == null ? 0 : entries.size();
        }
    }

    /**
     * Closes every open entry in reverse order of registration and refuses later registrations. While
     * another call is still closing (blocked in a {@code close()}), this one closes the entries that call
     * has not reached (a force-close, contract K8); each entry still closes exactly once.
     *
     * @return the failures of {@code close()}, in closing order (empty if none)
     */
    public List<Throwable> closeAll() {
        return closeTaken(takeAll());
    }

    /**
     * The first half of {@link #closeAll()}: refuses later registrations and takes the entries to close,
     * so that the owner can tell whether its exit runs any {@code close()} before the first one runs.
     *
     * @return the entries for {@link #closeTaken}, or {@code null} if there is nothing to close
     */
    public List<Entry> takeAll() {
        synchronized (this) {
            if (entries == CLOSED_LIST) {
                return closing; // a pass is still closing them: the rest is ours too (null once it ended)
            }
            ArrayList<Entry> taken = entries;
            entries = CLOSED_LIST;
            if (taken == null || taken.isEmpty()) {
                return null;
            }
            closing = taken;
            return taken;
        }
    }

    /**
     * The second half of {@link #closeAll()}: closes the open ones of {@code taken} in reverse order of
     * registration.
     *
     * @param taken what {@link #takeAll()} returned
     * @return the failures of {@code close()}, in closing order (empty if none)
     */
    public List<Throwable> closeTaken(List<Entry> taken) {
        if (taken == null) {
            return List.of();
        }
        List<Throwable> failures = new ArrayList<>(0);
        for (int i = taken.size() - 1; i >= 0; i--) {
            Throwable t = taken.get(i).closeIfOpen();
            if (t != null) {
                failures.add(t);
            }
        }
        synchronized (this) {
            if (closing == taken) {
                closing = null; // one pass ended: every entry is closed or released, none is left to force
            }
        }
        return failures;
    }

    private void remove(Entry e) {
        synchronized (this) {
            if (entries != null && entries != CLOSED_LIST) {
                entries.remove(e);
            }
        }
    }

    /** One registration: the resource and its single outcome. */
    public static final class Entry {
        private static final int OPEN = 0, CLOSED = 1, RELEASED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Entry.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final ResourceList list;       // immutable
        private final AutoCloseable resource;  // immutable
        @SuppressWarnings("unused")            // accessed through STATE
        private volatile int state;            // OPEN until one of CLOSED/RELEASED wins

        Entry(ResourceList list, AutoCloseable resource) {
            this.list = list;
            this.resource = resource;
        }

        /** The registered resource. */
        public AutoCloseable resource() {
            return resource;
        }

        /** Whether neither closed nor released yet. */
        public boolean isOpen() {
            return (int) STATE.getVolatile(this) == OPEN;
        }

        /** Gives up ownership without closing. @return whether this call released it */
        public boolean release() {
            if (!STATE.compareAndSet(this, OPEN, RELEASED)) {
                return false;
            }
            list.openCounter.decrementAndGet();
            list.remove(this);
            return true;
        }

        /**
         * Closes the resource now, if still open, and removes it from its owner.
         *
         * @return the failure of {@code close()}, or {@code null}
         */
        public Throwable closeNow() {
            Throwable t = closeIfOpen();
            list.remove(this);
            return t;
        }

        Throwable closeIfOpen() {
            if (!STATE.compareAndSet(this, OPEN, CLOSED)) {
                return null;
            }
            list.openCounter.decrementAndGet();
            try {
                resource.close();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }
    }
}
