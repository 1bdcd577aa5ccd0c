package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/**
 * The kernel frames on a parked task's stack. A parked virtual thread keeps its frames in the heap for as long
 * as it waits (an interpreted frame is about 200 bytes, a compiled one tens), and a mass kill thaws each of them:
 * the frames tasklife adds below a task's body and between a blocking call and the park are memory per task and
 * time per killed task. These tests pin how many there are.
 */
@ExtendWith(KernelExtension.class)
class ParkedStackTest {

    /** A task's body as parked: tasklife frames above and below the body's own frame. */
    private record Split(List<String> above, List<String> below) {}

    /** Parks a task in {@code block}, reads its stack, kills it. */
    private static Split parkedStack(Kernel kernel, TaskBody<Object> block) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        try {
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            Task<Object> t = g.spawnTask("parked", () -> {
                thread.complete(Thread.currentThread());
                return block.run();
            });
            Await.state(t, TaskState.BLOCKED);
            Thread th = thread.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS);
            Await.until("the task's thread parked", () -> th.getState() == Thread.State.WAITING
                    || th.getState() == Thread.State.TIMED_WAITING);
            return split(th.getStackTrace());
        } finally {
            killAndReap(g);
        }
    }

    /** Splits at the body's frame (this class's lambda that called {@code block}), keeping only tasklife frames. */
    private static Split split(StackTraceElement[] stack) {
        int body = -1;
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().equals(ParkedStackTest.class.getName())
                    && stack[i].getMethodName().startsWith("lambda$parkedStack")) {
                body = i;
            }
        }
        assertThat(body).as("the body's frame in %s", List.of(stack)).isGreaterThanOrEqualTo(0);
        List<String> above = new ArrayList<>();
        List<String> below = new ArrayList<>();
        for (int i = 0; i < stack.length; i++) {
            StackTraceElement e = stack[i];
            if (i != body && e.getClassName().startsWith("org.tasklife.")
                    && !e.getClassName().startsWith(ParkedStackTest.class.getName())) {
                (i < body ? above : below).add(e.getClassName() + "." + e.getMethodName());
            }
        }
        return new Split(above, below);
    }

    /** A task parked in acquire() of a semaphore without permits, as parked. */
    private static Split parkedInSemaphore(Kernel kernel) throws Exception {
        Semaphore s = new Semaphore(0);
        return parkedStack(kernel, () -> {
            s.acquire();
            return null;
        });
    }

    /** SPEC §3 (a task is a thread): below a task's body there is one kernel frame, the record's own run(). */
    @Test
    void parkedTask_belowItsBody_onlyTheRecordsRunFrame(Kernel kernel) throws Exception {
        assertThat(parkedInSemaphore(kernel).below()).containsExactly("org.tasklife.internal.task.TaskControlBlock.run");
    }

    /** SPEC §9: a task parked in Semaphore.acquire() has four kernel frames above its body, the park's included. */
    @Test
    void semaphoreAcquire_parked_fourKernelFramesAboveTheBody(Kernel kernel) throws Exception {
        Split split = parkedInSemaphore(kernel);
        assertThat(split.above()).as("frames %s", split.above()).hasSizeLessThanOrEqualTo(4)
                .last().isEqualTo("org.tasklife.sync.Semaphore.acquire");
    }

    /** SPEC §9: a task parked in Mutex.lock() has four kernel frames above its body. */
    @Test
    void mutexLock_parked_fourKernelFramesAboveTheBody(Kernel kernel) throws Exception {
        Mutex m = new Mutex();
        m.lock(); // held by this host thread
        try {
            Split split = parkedStack(kernel, () -> {
                m.lock();
                return null;
            });
            assertThat(split.above()).as("frames %s", split.above()).hasSizeLessThanOrEqualTo(4)
                    .last().isEqualTo("org.tasklife.sync.Mutex.lock");
        } finally {
            m.unlock();
        }
    }

    /** SPEC T1: a task asleep in Tasks.sleep has three kernel frames above its body. */
    @Test
    void sleep_parked_threeKernelFramesAboveTheBody(Kernel kernel) throws Exception {
        Split split = parkedStack(kernel, () -> {
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        assertThat(split.above()).as("frames %s", split.above()).hasSizeLessThanOrEqualTo(3)
                .last().isEqualTo("org.tasklife.Tasks.sleep");
    }
}
