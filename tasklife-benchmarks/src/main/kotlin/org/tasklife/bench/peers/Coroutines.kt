package org.tasklife.bench.peers

import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.Semaphore

/**
 * The Kotlin coroutines peer of the benchmarks: the operations the Java JMH classes
 * (KotlinSpawnBench, KotlinMassCancelBench) and the plain mains (PeerMemory, MillionCoroutines) time or
 * measure, written as a Kotlin user would write them. Everything runs on Dispatchers.Default (a pool of as
 * many threads as cores, like the virtual-thread scheduler's carriers) under one SupervisorJob scope.
 *
 * A crowd is one parent coroutine and n - 1 children of it, all suspended in the same primitive (as a
 * MassKillBench group is a main task and crowd - 1 tasks blocked on one primitive); cancelling the parent
 * cancels every child, and the parent completes only after the last child did, so "cancel the parent,
 * then wait for its completion" is the group kill + onExit() of tasklife. Every crowd member is started
 * UNDISPATCHED from the calling thread: it runs there until its first suspension, so when the builder
 * returns every member is suspended in the primitive (no polling).
 */
object Coroutines {
    /** The scope of every benchmark coroutine; a SupervisorJob, so one cancelled crowd leaves it usable. */
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** One hour: far beyond any measurement, yet a real timer (delay(Long.MAX_VALUE) arms none). */
    private const val LONG_DELAY_MILLIS = 3_600_000L

    /** launch + join from a thread that is no coroutine (the JMH thread): launches a coroutine with an
     *  empty body and blocks until it has completed. */
    @JvmStatic
    fun launchJoinFromHost(): Job {
        val job = scope.launch { }
        await(job)
        return job
    }

    /** `batch` times launch { } + join() inside one coroutine on Dispatchers.Default; returns when done. */
    @JvmStatic
    fun launchJoinInCoroutine(batch: Int) {
        runBlocking(Dispatchers.Default) {
            repeat(batch) { launch { }.join() }
        }
    }

    /** The primitives a crowd can wait in. */
    enum class Wait { MUTEX, SEMAPHORE, DELAY }

    /**
     * Starts n coroutines (a parent and n - 1 children of it) suspended in [wait]: one kotlinx Mutex that
     * is locked and never unlocked, one Semaphore without a free permit, or a delay of an hour each.
     * Returns the parent once every member is suspended.
     */
    @JvmStatic
    fun crowd(wait: Wait, n: Int): Job {
        require(n >= 1) { "n must be >= 1: $n" }
        val block: suspend () -> Unit = when (wait) {
            Wait.MUTEX -> {
                val m = Mutex(locked = true)
                suspend { m.lock() }
            }
            Wait.SEMAPHORE -> {
                val s = Semaphore(permits = 1, acquiredPermits = 1)
                suspend { s.acquire() }
            }
            Wait.DELAY -> suspend { delay(LONG_DELAY_MILLIS) }
        }
        val parent = scope.launch(start = CoroutineStart.UNDISPATCHED) { block() }
        val children = CoroutineScope(Dispatchers.Default + parent)
        repeat(n - 1) { children.launch(start = CoroutineStart.UNDISPATCHED) { block() } }
        check(parent.isActive && parent.children.count() == n - 1) { "crowd of $n not all suspended" }
        return parent
    }

    /** Cancels the crowd's parent (so every member) and blocks until the parent, so the last member, has completed. */
    @JvmStatic
    fun cancelAndJoin(parent: Job) {
        parent.cancel()
        await(parent)
    }

    /** Fails unless the crowd's parent was cancelled and no member is left. */
    @JvmStatic
    fun checkEnded(parent: Job) {
        check(parent.isCompleted && parent.isCancelled && parent.children.none()) { "crowd not ended: $parent" }
    }

    /** Blocks the calling (non-coroutine) thread until [job] has completed, however it ended. */
    private fun await(job: Job) {
        val done = CompletableFuture<Unit>()
        job.invokeOnCompletion { done.complete(Unit) }
        done.join()
    }
}
