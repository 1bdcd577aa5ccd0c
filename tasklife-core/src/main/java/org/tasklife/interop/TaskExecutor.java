package org.tasklife.interop;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tasklife.Domain;
import org.tasklife.TaskGroup;

/** Skeleton. */
public final class TaskExecutor implements ExecutorService {
    private TaskExecutor() {}

    public static TaskExecutor in(Domain domain) { throw new UnsupportedOperationException(); }
    public static TaskExecutor in(TaskGroup group) { throw new UnsupportedOperationException(); }
    public static Builder builder() { return new Builder(); }
    public TaskGroup group() { throw new UnsupportedOperationException(); }
    public String name() { throw new UnsupportedOperationException(); }

    public static final class Builder {
        private Builder() {}
        public Builder name(String name) { return this; }
        public Builder maxConcurrency(int max) { return this; }
        public Builder platformThreads(boolean on) { return this; }
        public TaskExecutor in(Domain domain) { throw new UnsupportedOperationException(); }
        public TaskExecutor in(TaskGroup group) { throw new UnsupportedOperationException(); }
    }

    @Override public void execute(Runnable command) { throw new UnsupportedOperationException(); }
    @Override public void shutdown() { throw new UnsupportedOperationException(); }
    @Override public List<Runnable> shutdownNow() { throw new UnsupportedOperationException(); }
    @Override public boolean isShutdown() { throw new UnsupportedOperationException(); }
    @Override public boolean isTerminated() { throw new UnsupportedOperationException(); }
    @Override public boolean awaitTermination(long timeout, TimeUnit unit) { throw new UnsupportedOperationException(); }
    @Override public <T> Future<T> submit(Callable<T> task) { throw new UnsupportedOperationException(); }
    @Override public <T> Future<T> submit(Runnable task, T result) { throw new UnsupportedOperationException(); }
    @Override public Future<?> submit(Runnable task) { throw new UnsupportedOperationException(); }
    @Override public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) { throw new UnsupportedOperationException(); }
    @Override public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) { throw new UnsupportedOperationException(); }
    @Override public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws ExecutionException { throw new UnsupportedOperationException(); }
    @Override public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) throws ExecutionException, TimeoutException { throw new UnsupportedOperationException(); }
}
