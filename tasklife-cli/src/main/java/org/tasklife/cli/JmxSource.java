package org.tasklife.cli;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.tasklife.management.KernelView;
import org.tasklife.observer.ObserverSource;

/**
 * The observer's source for {@code tasklife observe}: the kernels of another JVM, through their MXBeans over the
 * JMX connection that {@code ps} and {@code tree} use; the views are the ones {@code tree --json} prints.
 */
final class JmxSource implements ObserverSource {
    private final JvmConnection jvm;
    private final List<KernelRef> kernels; // immutable: the kernels selected when the command started

    JmxSource(JvmConnection jvm, List<KernelRef> kernels) {
        this.jvm = jvm;
        this.kernels = List.copyOf(kernels);
    }

    @Override
    public long pid() {
        return jvm.pid();
    }

    @Override
    public List<KernelView> views() {
        List<KernelView> views = new ArrayList<>(kernels.size());
        for (KernelRef k : kernels) {
            try {
                views.add(k.snapshot());
            } catch (CliException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return views;
    }

    @Override
    public boolean killTask(long kernelId, long taskId) {
        KernelRef k = kernel(kernelId);
        return remote(k, () -> k.mx().kill(taskId));
    }

    @Override
    public boolean killGroup(long kernelId, long groupId) {
        KernelRef k = kernel(kernelId);
        return remote(k, () -> k.mx().killGroup(groupId));
    }

    @Override
    public boolean stopDomain(long kernelId, long domainId, int status) {
        KernelRef k = kernel(kernelId);
        return remote(k, () -> k.mx().stopDomain(domainId, status));
    }

    private KernelRef kernel(long kernelId) {
        for (KernelRef k : kernels) {
            if (k.instanceId() == kernelId) {
                return k;
            }
        }
        throw new IllegalArgumentException("kernel: JVM " + jvm.pid() + " has no observed kernel " + kernelId);
    }

    /**
     * One operation of a kernel's MXBean: its IllegalArgumentException (no such target) passes as it is; a broken
     * connection, or an operation the kernel refuses as it is, becomes an IllegalStateException.
     */
    private static boolean remote(KernelRef k, Supplier<Boolean> op) {
        try {
            return op.get();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (UndeclaredThrowableException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException("kernel " + k.label() + ": " + (c instanceof IOException
                    ? "the JVM closed the connection (" + c.getMessage() + ")" : String.valueOf(c)), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("kernel " + k.label() + ": " + e.getMessage(), e);
        }
    }
}
