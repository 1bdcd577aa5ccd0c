package org.tasklife;

/**
 * What a domain tells the listener given in {@link DomainOptions#onEvent} (H2's {@code CHILDINT}).
 * Listeners run on the thread that caused the event, with no kernel lock held; keep them short. An
 * exception thrown by a listener is caught and dropped: it cannot stop the domain from stopping.
 */
public sealed interface DomainEvent permits DomainEvent.AbnormalExit, DomainEvent.Stopped {
    /** {@return the domain the event is about} */
    Domain domain();

    /**
     * A group of the domain (or of a domain below it) ended with a status other than {@code Exited(0)}
     * while the domain was running: an early warning, sent before and apart from {@link Stopped}.
     *
     * @param domain the domain told
     * @param groupId the group that ended
     * @param status its final status
     * @param liveTasks the domain's live tasks right after the group ended
     */
    record AbnormalExit(Domain domain, long groupId, ExitStatus status, long liveTasks) implements DomainEvent {}

    /**
     * The domain stopped: no task in it or below it is live. Sent exactly once per domain.
     *
     * @param domain the domain that stopped
     * @param status the status it stopped with (the first recorded, see {@link Domain#stop(ExitStatus)})
     */
    record Stopped(Domain domain, ExitStatus status) implements DomainEvent {}
}
