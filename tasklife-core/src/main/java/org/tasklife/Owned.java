package org.tasklife;

import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.ResourceList;

/**
 * A resource owned by a task or a group (docs/contract.md, O1–O3): it is closed exactly once when its owner ends,
 * by any path, unless it is released or closed earlier through this handle.
 */
public final class Owned {
    private final ResourceList.Entry entry;

    Owned(ResourceList.Entry entry) {
        this.entry = entry;
    }

    /** {@return the owned resource} */
    public AutoCloseable resource() {
        return entry.resource();
    }

    /** {@return whether it is still owned and open} */
    public boolean isOpen() {
        return entry.isOpen();
    }

    /**
     * Gives up ownership without closing; the caller is responsible for the resource again.
     *
     * @return whether this call released it (false if it was already closed or released)
     */
    public boolean release() {
        return entry.release();
    }

    /**
     * Closes the resource now, if still open, and ends the ownership.
     *
     * @throws Exception what {@code close()} threw
     */
    public void closeNow() throws Exception {
        Throwable t = entry.closeNow();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    static Owned register(ResourceList list, AutoCloseable resource, String owner) {
        java.util.Objects.requireNonNull(resource, "resource");
        ResourceList.Entry e = list.add(resource);
        if (e == null) {
            throw new TaskLifeException(Reason.INVALID_OPERATION, owner + " has ended and can own no more resources; "
                    + "the resource was not registered and is still yours to close");
        }
        return new Owned(e);
    }
}
