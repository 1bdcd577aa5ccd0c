package org.tasklife.observer;

import java.util.List;
import org.tasklife.Kernel;
import org.tasklife.management.KernelView;

/**
 * What an {@link Observer} shows and acts on: the kernels of one JVM, as {@link KernelView}s, and the three
 * actions of its page (kill a task, kill a group, stop a domain).
 *
 * <p>Two implementations ship: {@link #of(Kernel...)} reads kernels of this JVM through their public API
 * ({@link Kernel#snapshot()}, {@link Kernel#kill(long)}, {@link org.tasklife.TaskGroup#kill()},
 * {@link org.tasklife.Domain#stop(int)}), as host code; the {@code tasklife observe} command reads another JVM
 * through each kernel's {@link org.tasklife.management.KernelMXBean} over JMX, as {@code tasklife tree} does.
 *
 * <p>Kernels are named by a {@code kernelId}: the {@link KernelView#instanceId()} of the views this source
 * returns. Every method may be called from several threads at once.
 */
public interface ObserverSource {
    /**
     * {@return the process id of the JVM whose kernels this source shows}
     */
    long pid();

    /**
     * The current view of every observed kernel: counters, domains, groups and live tasks.
     *
     * @return the views, one per kernel
     * @throws IllegalStateException if the kernels cannot be read (a kernel closed, or the remote JVM is gone);
     *     the message says why
     */
    List<KernelView> views();

    /**
     * Kills a task (docs/contract.md, K1).
     *
     * @param kernelId the kernel's {@link KernelView#instanceId()}
     * @param taskId the task's id
     * @return whether this call killed it; {@code false} if it was already killed, exiting or ended
     * @throws IllegalArgumentException if there is no such kernel or the kernel has no such task; nothing changed
     * @throws IllegalStateException if the kernel cannot be reached
     */
    boolean killTask(long kernelId, long taskId);

    /**
     * Kills a group: every task of it (docs/contract.md, K7).
     *
     * @param kernelId the kernel's {@link KernelView#instanceId()}
     * @param groupId the group's id
     * @return whether this call killed it; {@code false} if it was already exiting or ended
     * @throws IllegalArgumentException if there is no such kernel or the kernel has no such group (or it is a
     *     domain's root group, which is stopped with its domain); nothing changed
     * @throws IllegalStateException if the kernel cannot be reached
     */
    boolean killGroup(long kernelId, long groupId);

    /**
     * Stops a domain with status {@code Exited(status)} (docs/contract.md, D2); asynchronous.
     *
     * @param kernelId the kernel's {@link KernelView#instanceId()}
     * @param domainId the domain's id
     * @param status the exit code to record
     * @return whether this call recorded the status; {@code false} if the domain was stopping already
     * @throws IllegalArgumentException if there is no such kernel or domain, or it is the kernel's root domain
     *     (which stops only when the kernel closes); nothing changed
     * @throws IllegalStateException if the kernel cannot be reached
     */
    boolean stopDomain(long kernelId, long domainId, int status);

    /**
     * A source of kernels of this JVM, read and acted on through their public API as host code. The views
     * number the kernels 1, 2, ... in the order given (their {@link KernelView#instanceId()}).
     *
     * @param kernels the kernels to observe, at least one
     * @return the source
     * @throws IllegalArgumentException if {@code kernels} is empty
     * @throws NullPointerException if {@code kernels} or one of them is null
     */
    static ObserverSource of(Kernel... kernels) {
        return new InProcessSource(List.of(kernels));
    }
}
