package org.tasklife;

/**
 * A spawn was refused because a domain's limit on live tasks or groups is reached
 * (docs/contract.md, D4, like a cgroup's {@code pids.max}). Nothing was created. The limit may belong to
 * a domain above the one spawned into: limits count everything in the domains below.
 *
 * <p>POSIX equivalent, for orientation: EAGAIN.
 */
public final class DomainLimitExceededException extends SpawnRefusedException {
    private static final long serialVersionUID = 1L;

    /** The domain whose limit was reached. */
    private final String domainName;
    /** The limit that was reached. */
    private final long limit;

    /**
     * Creates the exception.
     *
     * @param domainName the domain whose limit was reached
     * @param limit the limit
     * @param message names the domain, the limit and what was refused
     */
    public DomainLimitExceededException(String domainName, long limit, String message) {
        super(Reason.LIMIT_EXCEEDED, message);
        this.domainName = domainName;
        this.limit = limit;
    }

    /** {@return the name of the domain whose limit was reached} */
    public String domainName() {
        return domainName;
    }

    /** {@return the limit that was reached} */
    public long limit() {
        return limit;
    }
}
