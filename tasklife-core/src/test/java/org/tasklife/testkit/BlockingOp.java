package org.tasklife.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tasklife.ChildSelector;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Barrier;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Once;
import org.tasklife.sync.ReadWriteLock;
import org.tasklife.sync.Semaphore;

/**
 * Every way a task can block in tasklife (STYLE G15), each knowing how to set up an obstacle that keeps
 * a task blocked until it is killed. Tests iterate over all of them, so no primitive is forgotten.
 *
 * <p>Usage: {@code Scenario s = op.prepare(kernel, home)} on the test (host) thread; helper tasks it
 * starts are already blocked when it returns. Run {@code s.block()} in a task of {@code home}: it never
 * returns by itself; kill the task; then {@code s.release()} removes the obstacle (releases what the host
 * holds, ends helper tasks).
 */
public enum BlockingOp {
    LOCK {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Mutex m = new Mutex();
            m.lock(); // held by the test thread
            return scenario(m::lock, m::unlock);
        }
    },
    TIMED_LOCK {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Mutex m = new Mutex();
            m.lock();
            return scenario(() -> m.tryLock(1, TimeUnit.HOURS), m::unlock);
        }
    },
    CONDITION_AWAIT {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Mutex m = new Mutex();
            org.tasklife.sync.Condition c = m.newCondition();
            return scenario(() -> {
                m.lock();
                try {
                    c.await();
                } finally {
                    m.unlock();
                }
            }, () -> {});
        }
    },
    TIMED_CONDITION_AWAIT {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Mutex m = new Mutex();
            org.tasklife.sync.Condition c = m.newCondition();
            return scenario(() -> {
                m.lock();
                try {
                    c.await(1, TimeUnit.HOURS);
                } finally {
                    m.unlock();
                }
            }, () -> {});
        }
    },
    ACQUIRE {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Semaphore s = new Semaphore(0);
            return scenario(s::acquire, () -> {});
        }
    },
    TIMED_ACQUIRE {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Semaphore s = new Semaphore(0);
            return scenario(() -> s.tryAcquire(1, 1, TimeUnit.HOURS), () -> {});
        }
    },
    READ_LOCK {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            ReadWriteLock rw = new ReadWriteLock();
            rw.writeLock();
            return scenario(rw::readLock, rw::writeUnlock);
        }
    },
    TIMED_READ_LOCK {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            ReadWriteLock rw = new ReadWriteLock();
            rw.writeLock();
            return scenario(() -> rw.tryReadLock(1, TimeUnit.HOURS), rw::writeUnlock);
        }
    },
    WRITE_LOCK {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            ReadWriteLock rw = new ReadWriteLock();
            rw.readLock();
            return scenario(rw::writeLock, rw::readUnlock);
        }
    },
    TIMED_WRITE_LOCK {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            ReadWriteLock rw = new ReadWriteLock();
            rw.readLock();
            return scenario(() -> rw.tryWriteLock(1, TimeUnit.HOURS), rw::readUnlock);
        }
    },
    BARRIER {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Barrier b = new Barrier(2);
            return scenario(() -> {
                resetIfBroken(b);
                b.await();
            }, () -> {});
        }
    },
    TIMED_BARRIER {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Barrier b = new Barrier(2);
            return scenario(() -> {
                resetIfBroken(b);
                b.await(1, TimeUnit.HOURS);
            }, () -> {});
        }
    },
    ONCE_IN_PROGRESS {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) throws Exception {
            Once once = new Once();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread runner = Thread.ofPlatform().name("once-runner").start(() -> once.run(() -> {
                inside.countDown();
                Fixtures.awaitUninterruptibly(release);
            }));
            Fixtures.await(inside);
            return scenario(() -> once.run(() -> {}), () -> {
                release.countDown();
                runner.join(Await.LONG.toMillis());
            });
        }
    },
    JOIN {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Task<Integer> target = home.spawnTask("join-target", Fixtures::sleepForever);
            Await.state(target, TaskState.BLOCKED);
            return scenario(target::join, () -> {
                target.kill();
                Fixtures.get(target.onExit());
            });
        }
    },
    SLEEP {
        @Override
        public boolean linksQueueNode() {
            return false; // a sleep's node is in no queue: only its timer and kill end it
        }

        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            return scenario(() -> Tasks.sleep(Duration.ofHours(1)), () -> {});
        }
    },
    AWAIT_DOMAIN_STOP {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) {
            Domain watched = home.domain().createDomain(DomainOptions.named("watched"));
            return scenario(() -> watched.awaitStopped(Duration.ofHours(1)), () -> {
                watched.stop(0);
                watched.free();
            });
        }
    },
    WAIT_CHILD {
        @Override
        public Scenario prepare(Kernel kernel, TaskGroup home) throws Exception {
            TaskGroup child = Fixtures.spawnChild(home, "child", Fixtures::sleepForever);
            Await.state(Fixtures.mainOf(kernel, child), TaskState.BLOCKED);
            return scenario(() -> Tasks.waitChild(ChildSelector.group(child.id())), () -> {
                child.kill();
                Fixtures.get(child.onExit());
            });
        }
    };

    /**
     * Whether the obstacle is itself a task or domain of {@code home}'s domain (a join target, a child, a
     * nested domain): a stop of that domain ends it too, so the blocked call may return, or report the
     * obstacle's death, before it sees its own kill. The blocked task still ends Killed.
     */
    public boolean obstacleDiesWithHome() {
        return this == JOIN || this == WAIT_CHILD || this == AWAIT_DOMAIN_STOP;
    }

    /** Whether a task blocked this way has its wait node linked in a queue (counted by {@code WaitQueue}). */
    public boolean linksQueueNode() {
        return true;
    }

    /** Sets up the obstacle, from the test thread; blocked tasks will run in {@code home}. */
    public abstract Scenario prepare(Kernel kernel, TaskGroup home) throws Exception;

    /** A prepared obstacle: {@link #block()} blocks the calling task until it is killed. */
    public interface Scenario {
        /** Blocks; runs in a task; returns or throws only when the task is killed. */
        void block() throws Exception;

        /** Removes the obstacle, from the test thread. */
        void release() throws Exception;
    }

    /** A blocking body, as {@code Callable} without the result. */
    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static Scenario scenario(Body block, Body cleanup) {
        return new Scenario() {
            @Override
            public void block() throws Exception {
                block.run();
            }

            @Override
            public void release() throws Exception {
                cleanup.run();
            }
        };
    }

    /** A kill of the previous party broke the round (as it must); the next race starts a fresh one. */
    private static void resetIfBroken(Barrier b) {
        if (b.isBroken()) {
            b.reset();
        }
    }

}
