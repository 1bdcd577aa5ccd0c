package org.tasklife.management;

/**
 * The management interface of one kernel, registered in the platform MBean server by
 * {@link org.tasklife.Kernel#boot()} (unless turned off with
 * {@link org.tasklife.Kernel.Builder#jmx(boolean)}) and unregistered by {@link org.tasklife.Kernel#close()}.
 *
 * <p>Every method acts as host code (docs/contract.md, D5): it sees and acts on every domain of the kernel.
 * Errors reach a remote client as JDK exceptions only ({@link IllegalArgumentException},
 * {@link IllegalStateException}), with a message naming the argument and the rule, so a client needs no
 * tasklife classes to read them.
 */
public interface KernelMXBean {
    /** Object name pattern matching the MXBean of every kernel in a JVM. */
    String QUERY = "org.tasklife:type=Kernel,*";

    /** {@return the kernel's name (as given to {@code Kernel.builder().name(...)})} */
    String getName();

    /** {@return a number unique among the kernels booted in this JVM (the {@code id} key of the object name)} */
    long getInstanceId();

    /** {@return the number of tasks not yet terminated} */
    long getLiveTaskCount();

    /** {@return the number of owned resources (of tasks and groups) still open} */
    long getOpenResourceCount();

    /** {@return the number of timers armed and not yet fired or cancelled} */
    int getPendingTimerCount();

    /**
     * {@return the number of tasks queued in any tasklife wait of this JVM, whichever kernel they belong
     * to} A JVM-wide count: see {@link org.tasklife.Kernel#queuedWaitersInJvm()}.
     */
    long getQueuedWaitersInJvm();

    /** {@return the number of stuck-task reports made so far (docs/contract.md, K8)} */
    int getStuckTaskCount();

    /** {@return stuck-task reports made so far, each rendered as its header line and stack} */
    String[] getStuckTaskReports();

    /**
     * {@return one consistent-enough view of the kernel: counters, domains, groups and live tasks}
     * (docs/contract.md, §11)
     */
    KernelView getSnapshot();

    /** {@return the process table of live tasks, as {@link org.tasklife.KernelSnapshot#renderTable()} writes it} */
    String getProcessTable();

    /**
     * Kills the task with this id (docs/contract.md, K1).
     *
     * @param taskId the task's id
     * @return whether this call killed it; false if it was already killed, exiting or ended but not yet gone
     *     (as {@link org.tasklife.Kernel#kill(long)})
     * @throws IllegalArgumentException if the kernel has no task with this id (never spawned, or its record
     *     was already disposed); the message names the kernel and the id, and nothing is changed
     */
    boolean kill(long taskId);

    /**
     * Kills the group with this id: every task of it, whatever each is doing (docs/contract.md, K7), as
     * {@link org.tasklife.TaskGroup#kill()} does.
     *
     * @param groupId the group's id
     * @return whether this call killed it; false if it was already exiting or ended but not yet reaped
     * @throws IllegalArgumentException if the kernel has no group with this id (never spawned, already reaped,
     *     or a domain's root group, which stops with its domain); the message names the kernel and the id, and
     *     nothing is changed
     */
    boolean killGroup(long groupId);

    /**
     * Stops the domain with this id with status {@code Exited(status)} (docs/contract.md, D2); asynchronous.
     *
     * @param domainId the domain's id
     * @param status the exit code to record
     * @return whether this call recorded the status (false if it was stopping already)
     * @throws IllegalArgumentException if there is no such domain, or it is the root domain (which stops
     *     only when the kernel closes)
     */
    boolean stopDomain(long domainId, int status);
}
