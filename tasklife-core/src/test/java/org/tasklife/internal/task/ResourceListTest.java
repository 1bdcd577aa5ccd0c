package org.tasklife.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.TrackedResource;

/** SPEC O2, K8: owned resources close exactly once, also when a force-close meets a close() that blocks. */
class ResourceListTest {

    /**
     * A closeAll() made while another one is blocked in a close() closes the entries that one has not
     * reached, in reverse order; when the blocked close() returns, nothing closes twice.
     */
    @Test
    void closeAll_whileOwnerBlockedInClose_closesTheRestOnce() throws Exception {
        AtomicLong open = new AtomicLong();
        ResourceList list = new ResourceList(open);
        CopyOnWriteArrayList<String> order = new CopyOnWriteArrayList<>();
        TrackedResource first = new TrackedResource("first", order);
        TrackedResource second = new TrackedResource("second", order);
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        list.add(first);
        list.add(second);
        list.add(() -> {
            closing.countDown();
            assertThat(unblock.await(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        });
        CompletableFuture<List<Throwable>> owner = CompletableFuture.supplyAsync(list::closeAll);
        assertThat(closing.await(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        List<Throwable> forced = list.closeAll();

        assertThat(forced).isEmpty();
        assertThat(order).containsExactly("second", "first");
        assertThat(open.get()).isZero();
        assertThat(list.closeAll()).as("a third pass while the owner still blocks").isEmpty();
        unblock.countDown();
        assertThat(owner.get(Await.LONG.toMillis(), TimeUnit.MILLISECONDS)).isEmpty();
        assertThat(first.closeCount()).isEqualTo(1);
        assertThat(second.closeCount()).isEqualTo(1);
        assertThat(list.add(new TrackedResource("late"))).as("closed: refuses registrations").isNull();
    }
}
