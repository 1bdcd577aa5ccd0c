package org.tasklife;

/** The body of a group's main task: returning {@code code} is {@code exitGroup(code)} (docs/contract.md, E2). */
@FunctionalInterface
public interface GroupMain {
    /**
     * Runs the main task.
     *
     * @return the group's exit code
     * @throws Exception to fail the group (docs/contract.md, E5)
     */
    int run() throws Exception;
}
