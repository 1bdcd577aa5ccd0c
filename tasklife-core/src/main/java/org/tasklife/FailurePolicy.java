package org.tasklife;

/** What an uncaught throwable in one task does to its group (docs/contract.md, E5). */
public enum FailurePolicy {
    /** The default, as a crash ends a process: the group ends with {@code Failed(throwable)}. */
    FAIL_GROUP,
    /** Only the throwing task fails; its joiners get a {@link TaskFailedException}. */
    FAIL_TASK
}
