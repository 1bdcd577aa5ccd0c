package org.tasklife;

/**
 * A task tried to see or act on something outside its own domain and the domains below it (docs/contract.md, D5):
 * a task, group or domain of another tenant. Host code (code not running in a task) may act everywhere.
 *
 * <p>It is a {@link SecurityException} so that code which already treats those as "not allowed" does
 * the right thing. Nothing was changed. POSIX equivalent, for orientation: EPERM.
 */
public final class DomainAccessException extends SecurityException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the caller's domain, the target and the rule
     */
    public DomainAccessException(String message) {
        super(message);
    }
}
