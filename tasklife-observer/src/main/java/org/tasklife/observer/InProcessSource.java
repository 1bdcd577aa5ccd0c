package org.tasklife.observer;

import java.util.ArrayList;
import java.util.List;
import org.tasklife.Domain;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.management.KernelView;

/** {@link ObserverSource#of(Kernel...)}: kernels of this JVM, through their public API, as host code. */
final class InProcessSource implements ObserverSource {
    /*
     * Implementation notes
     *
     * Overview: each view is built as the kernel's MXBean builds its own (KernelView: the counters, then one
     * Kernel.snapshot()); the kernels are numbered by their place in the list, since a Kernel does not publish
     * the instance id of its MXBean. The actions look the target up first, so that an unknown id is told
     * apart from one that was already ending (Kernel.kill answers false for both), then act on the handle.
     *
     * Known limits: between the look-up and the action the target may end; the action then answers false,
     * which the page shows as "already ending".
     */

    private final List<Kernel> kernels; // immutable

    InProcessSource(List<Kernel> kernels) {
        if (kernels.isEmpty()) {
            throw new IllegalArgumentException("kernels: an observer needs at least one kernel to show");
        }
        this.kernels = kernels;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public List<KernelView> views() {
        List<KernelView> views = new ArrayList<>(kernels.size());
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            views.add(new KernelView(k.name(), i + 1L, System.currentTimeMillis(), k.liveTaskCount(),
                    k.openResourceCount(), k.pendingTimerCount(), Kernel.queuedWaitersInJvm(), k.stuckTasks().size(),
                    k.snapshot()));
        }
        return views;
    }

    @Override
    public boolean killTask(long kernelId, long taskId) {
        Kernel k = kernel(kernelId);
        if (taskId <= 0 || k.findTask(taskId).isEmpty()) {
            throw new IllegalArgumentException("task: kernel " + kernelId + " has no live task " + taskId);
        }
        return k.kill(taskId);
    }

    @Override
    public boolean killGroup(long kernelId, long groupId) {
        Kernel k = kernel(kernelId);
        TaskGroup g = groupId <= 0 ? null : k.findGroup(groupId).orElse(null);
        if (g == null) {
            throw new IllegalArgumentException("group: kernel " + kernelId + " has no group " + groupId
                    + " (a domain's root group is stopped with its domain)");
        }
        return g.kill();
    }

    @Override
    public boolean stopDomain(long kernelId, long domainId, int status) {
        Kernel k = kernel(kernelId);
        Domain d = domainId <= 0 ? null : k.findDomain(domainId).orElse(null);
        if (d == null) {
            throw new IllegalArgumentException("domain: kernel " + kernelId + " has no domain " + domainId);
        }
        if (d.parent().isEmpty()) {
            throw new IllegalArgumentException("domain: " + domainId + " is the root domain of kernel " + kernelId
                    + ", which stops only when the kernel closes");
        }
        return d.stop(status);
    }

    private Kernel kernel(long kernelId) {
        if (kernelId < 1 || kernelId > kernels.size()) {
            throw new IllegalArgumentException("kernel: no kernel " + kernelId + " is observed (1.." + kernels.size()
                    + ")");
        }
        return kernels.get((int) kernelId - 1);
    }
}
