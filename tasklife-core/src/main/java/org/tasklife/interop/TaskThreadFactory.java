package org.tasklife.interop;

import java.util.concurrent.ThreadFactory;
import org.tasklife.Domain;
import org.tasklife.TaskGroup;

/** Skeleton. */
public final class TaskThreadFactory implements ThreadFactory, AutoCloseable {
    private TaskThreadFactory() {}

    public static TaskThreadFactory in(Domain domain) { throw new UnsupportedOperationException(); }
    public static TaskThreadFactory in(TaskGroup group) { throw new UnsupportedOperationException(); }
    public static Builder builder() { return new Builder(); }
    public TaskGroup group() { throw new UnsupportedOperationException(); }
    public boolean isClosed() { throw new UnsupportedOperationException(); }
    @Override public Thread newThread(Runnable r) { throw new UnsupportedOperationException(); }
    @Override public void close() { throw new UnsupportedOperationException(); }

    public static final class Builder {
        private Builder() {}
        public Builder name(String name) { return this; }
        public Builder platformThreads(boolean on) { return this; }
        public TaskThreadFactory in(Domain domain) { throw new UnsupportedOperationException(); }
        public TaskThreadFactory in(TaskGroup group) { throw new UnsupportedOperationException(); }
    }
}
