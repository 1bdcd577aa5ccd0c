package org.tasklife.internal.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import org.tasklife.DomainAccessException;
import org.tasklife.internal.task.TaskControlBlock;

/**
 * Who the calling code works for, as one kernel sees it (contract D5: authority follows the work, not the
 * thread): host code, a domain (confined to that domain and the domains below it), or nobody this kernel
 * can trust (it may act on nothing). One instance per kernel; every visibility and permission check of the
 * kernel goes through it.
 */
public final class Authority {
    /*
     * Implementation notes
     *
     * Overview: the task layer carries an opaque token per thread (TaskControlBlock A1, A2): a task's token
     * is its domain (GroupControlBlock.authorityToken); threads created by a task inherit it; callbacks run
     * with the token of whoever registered them. This class gives tokens their meaning in one kernel K (a
     * domain's kernel is the Topology it was created with):
     *
     *   token                                        scope in K
     *   none, on a thread the host created           host: everything
     *   HOST (a host callback, see capture)          host
     *   a domain D of K                              D and the domains below it (K's root domain: all of K)
     *   a domain of K' != K, K' root domain          host: the host's own work in another kernel
     *   a domain of K' != K, a tenant domain         nobody: a tenant acts only in its own kernel
     *   none, on a common ForkJoinPool thread        nobody, unless K trusts the common pool (see below)
     *   NOBODY                                       nobody
     *
     * Why the common pool: its threads exist before any tenant and run every submitter's lambdas
     * (CompletableFuture.supplyAsync, parallel streams), and they inherit nothing, so nothing tells whose work
     * a lambda is. Treating them as host would hand any tenant host authority in one line; they get none,
     * unless the kernel is built with commonPoolIsHost(true) by a host that accepts that. Futures tasklife
     * hands out run their async dependents on the common pool with the obtainer's authority (BoundFuture), so
     * `onExit().thenRunAsync(...)` keeps working for host and tenants alike.
     *
     * Known limits (where authority cannot follow the work): a pool thread the host created before and to
     * which a tenant can submit work runs it as host code; a thread built with
     * inheritInheritableThreadLocals(false) starts as host code; on the class path a tenant can call internal
     * classes or reflect into private fields (on the module path the JVM refuses both). Domains isolate
     * mistakes and buggy plugins, not hostile code.
     */

    /** A token for host code made explicit (a host callback on a thread that would otherwise be nobody). */
    static final Object HOST = new Token("host");
    /** A token, or a scope, of code that may act on nothing. */
    static final Object NOBODY = new Token("nobody");

    private final Topology kernel;           // immutable: which kernel this is
    private final DomainControlBlock root;   // immutable: the kernel's root domain
    private final boolean commonPoolIsHost;  // immutable: Kernel.Builder.commonPoolIsHost

    /** The authority rules of the kernel whose topology is {@code kernel} and whose root domain is {@code root}. */
    public Authority(Topology kernel, DomainControlBlock root, boolean commonPoolIsHost) {
        this.kernel = kernel;
        this.root = root;
        this.commonPoolIsHost = commonPoolIsHost;
    }

    /**
     * The scope the calling thread acts with in this kernel: {@code null} for host code, a domain, or
     * {@link #NOBODY}.
     */
    private Object scope() {
        Object token = TaskControlBlock.currentAuthority();
        if (token == null) {
            return onCommonPool() && !commonPoolIsHost ? NOBODY : null;
        }
        if (token instanceof DomainControlBlock d) {
            if (d.topology() == kernel) {
                return d;
            }
            return d.parent() == null ? null : NOBODY;
        }
        return token == HOST ? null : NOBODY;
    }

    /** The token to run a callback registered now with: the caller's authority, made explicit. */
    private Object capture() {
        Object token = TaskControlBlock.currentAuthority();
        if (token != null) {
            return token;
        }
        return onCommonPool() && !commonPoolIsHost ? NOBODY : HOST;
    }

    /**
     * Whether the calling thread may act as host code here: host code itself, or code of the root domain
     * (the host's own groups).
     */
    public boolean callerIsHost() {
        Object scope = scope();
        return scope == null || scope instanceof DomainControlBlock d && d.parent() == null;
    }

    /**
     * Refuses what only host code may do (close the kernel, read kernel-wide counters, manage it over JMX).
     *
     * @throws DomainAccessException naming {@code what} and who the caller works for
     */
    public void checkHost(String what) {
        if (!callerIsHost()) {
            throw new DomainAccessException(describeCaller() + " cannot " + what + ": "
                    + (scope() == NOBODY ? whyNobody()
                            : "only host code (or code of the root domain) may; a domain's code acts only inside its domain"));
        }
    }

    /**
     * Refuses the call unless the caller may act on {@code target} (contract D5): a domain's code (its tasks, the
     * threads they start, the callbacks they register) acts on its own domain and the domains below it; host
     * code acts everywhere.
     *
     * @throws DomainAccessException naming {@code what} and who the caller works for
     */
    public void checkVisible(DomainControlBlock target, String what) {
        if (!sees(target)) {
            throw refusal(what);
        }
    }

    /**
     * {@link #checkVisible(DomainControlBlock, String)} for the hot paths (spawn, kill, reap): the message,
     * {@code what + id}, is built only when the call is refused (no string per spawn or kill).
     *
     * @throws DomainAccessException naming {@code what + id} and who the caller works for
     */
    public void checkVisible(DomainControlBlock target, String what, long id) {
        if (!sees(target)) {
            throw refusal(what + id);
        }
    }

    /** Whether the caller may act on {@code target} (contract D5). */
    private boolean sees(DomainControlBlock target) {
        Object scope = scope();
        return scope == null || scope instanceof DomainControlBlock from && from.contains(target);
    }

    private DomainAccessException refusal(String what) {
        Object scope = scope();
        return new DomainAccessException(describeCaller() + " cannot " + what + ": "
                + (scope == NOBODY ? whyNobody()
                        : "it is outside its domain (a domain's code sees only its own domain and the domains below it)"));
    }

    /**
     * The domain the caller's work is confined to in this kernel (a task's, or the domain whose work a thread
     * does), or {@code null} for host code.
     *
     * @throws DomainAccessException if the caller may act on nothing in this kernel
     */
    public DomainControlBlock callerDomain(String what) {
        Object scope = scope();
        if (scope == NOBODY) {
            checkVisible(root, what); // throws, explaining why
        }
        return (DomainControlBlock) scope;
    }

    /** "a task of domain 'a'", "code of domain 'a' (thread 'x')", or the thread for nobody. */
    public String describeCaller() {
        Object scope = scope();
        Thread th = Thread.currentThread();
        if (scope instanceof DomainControlBlock d) {
            return TaskControlBlock.current() != null ? "a task of domain '" + d.name() + "'"
                    : "code of domain '" + d.name() + "' (thread '" + th.getName() + "', which works for it)";
        }
        return scope == null ? "host code" : "code on thread '" + th.getName() + "'";
    }

    private String whyNobody() {
        Object token = TaskControlBlock.currentAuthority();
        if (token instanceof DomainControlBlock d && d.topology() != kernel) {
            return "it works for domain '" + d.name() + "' of kernel '" + d.topology().kernelName()
                    + "', and a domain's code acts only in its own kernel";
        }
        if (token == null || token == NOBODY) {
            return "threads of the common ForkJoinPool run every submitter's work, so they act for nobody in kernel '"
                    + kernel.kernelName() + "' (run host code on threads the host created, or boot the kernel with"
                    + " Kernel.Builder.commonPoolIsHost(true) if no tenant's code can reach the common pool)";
        }
        return "it acts for nobody in kernel '" + kernel.kernelName() + "'";
    }

    /**
     * Refuses to boot a kernel from a domain's code (its tasks would escape the domain's limits and outlive
     * its stop) or from a common ForkJoinPool thread (whose work may be a domain's).
     *
     * @throws DomainAccessException if the caller may not boot a kernel
     */
    public static void checkMayBoot() {
        Object token = TaskControlBlock.currentAuthority();
        String who = token instanceof DomainControlBlock d && d.parent() != null
                ? "code of domain '" + d.name() + "' of kernel '" + d.topology().kernelName() + "'"
                : token == NOBODY || token == null && onCommonPool()
                        ? "code on thread '" + Thread.currentThread().getName() + "'" : null;
        if (who != null) {
            throw new DomainAccessException(who + " cannot boot a kernel: only host code (or code of a root domain)"
                    + " may, since a kernel's tasks would escape a domain's limits and outlive its stop");
        }
    }

    private static boolean onCommonPool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool();
    }

    /**
     * A copy of {@code source} for the caller: its dependents run with the caller's authority, whatever
     * thread completes {@code source}, and its async dependents too (A2).
     */
    public <T> CompletableFuture<T> bindToCaller(CompletableFuture<T> source) {
        Object token = capture();
        BoundFuture<T> f = new BoundFuture<>(token);
        source.whenComplete((v, e) -> TaskControlBlock.runAs(token, () -> {
            if (e == null) {
                f.complete(v);
            } else {
                f.completeExceptionally(e);
            }
        }));
        return f;
    }

    /**
     * Runs what it is given at once, on the calling thread, with the authority of the code that called this
     * method (a listener's registrant's).
     */
    public Executor callerBoundExecutor() {
        Object token = capture();
        return action -> boundTo(token, action).run();
    }

    /** Runs {@code action} with the authority captured by {@link #capture}: a listener's registrant's. */
    private static Runnable boundTo(Object token, Runnable action) {
        return () -> TaskControlBlock.runAs(token, action);
    }

    /** A future whose async dependents run with one token, and whose derived stages keep it. */
    private static final class BoundFuture<T> extends CompletableFuture<T> {
        private final Object token;

        BoundFuture(Object token) {
            this.token = token;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new BoundFuture<>(token);
        }

        @Override
        public Executor defaultExecutor() {
            Executor pool = super.defaultExecutor();
            return r -> pool.execute(boundTo(token, r));
        }
    }

    private record Token(String name) {
        @Override
        public String toString() {
            return name;
        }
    }
}
