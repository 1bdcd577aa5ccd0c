package org.tasklife.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The demo's owned resources: each counts its closes, so the audit can say "closed exactly once". */
final class ResourceLedger {
    private final List<Tracked> all = new ArrayList<>(); // guarded by itself

    /** A resource that counts its closes. */
    static final class Tracked implements AutoCloseable {
        final String owner;
        final AtomicInteger closes = new AtomicInteger();

        Tracked(String owner) {
            this.owner = owner;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** A new resource, remembered for the audit. */
    Tracked open(String owner) {
        Tracked t = new Tracked(owner);
        synchronized (all) {
            all.add(t);
        }
        return t;
    }

    /** Resources opened so far. */
    int opened() {
        synchronized (all) {
            return all.size();
        }
    }

    /** Resources closed exactly once. */
    int closedOnce() {
        synchronized (all) {
            return (int) all.stream().filter(t -> t.closes.get() == 1).count();
        }
    }

    /** Resources not closed exactly once, as "owner: n closes", at most {@code max}. */
    List<String> anomalies(int max) {
        List<String> out = new ArrayList<>();
        synchronized (all) {
            for (Tracked t : all) {
                if (t.closes.get() != 1 && out.size() < max) {
                    out.add(t.owner + ": " + t.closes.get() + " closes");
                }
            }
        }
        return out;
    }

    /** The close counts of the resources of {@code owner}. */
    List<Integer> closesOf(String owner) {
        List<Integer> out = new ArrayList<>();
        synchronized (all) {
            for (Tracked t : all) {
                if (t.owner.equals(owner)) {
                    out.add(t.closes.get());
                }
            }
        }
        return out;
    }
}
