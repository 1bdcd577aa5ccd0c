package org.tasklife;

/**
 * The life of a {@link Domain} (docs/contract.md, §10). Transitions only go down this list.
 */
public enum DomainState {
    /** Accepts spawns. */
    RUNNING,
    /** A stop status is recorded, spawns are refused and every task is being killed. */
    STOPPING,
    /** No task of the domain (or of a domain below it) is live; the parent has been told. */
    STOPPED,
    /** The parent freed the stopped domain: its groups were reaped and it left the domain tree. */
    FREED
}
