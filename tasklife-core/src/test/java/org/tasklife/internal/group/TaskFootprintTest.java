package org.tasklife.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.task.ResourceList;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.TaskOwner;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.testkit.Fixtures;

/**
 * Memory per task (issue 18): what every task pays is counted in bytes allocated on this thread, which does not
 * depend on the machine's load, and the lazily made parts keep their semantics.
 */
class TaskFootprintTest {
    private static final int N = 20_000;

    /** An owner that does nothing: the records here never run. */
    private static final TaskOwner OWNER = new TaskOwner() {
        @Override
        public long ownerId() {
            return 1;
        }

        @Override
        public Object authorityToken() {
            return null;
        }

        @Override
        public Blocker blocker() {
            throw new UnsupportedOperationException("no waits here");
        }

        @Override
        public void safePoint(TaskControlBlock self) {}
    };


    private static TaskControlBlock record(long id, AtomicLong open) {
        return new TaskControlBlock(id, "w", OWNER, false, Clock.system(), open);
    }

    /** A new task record allocates only itself: no lock object, no resource list before the first resource. */
    @Test
    void newRecord_ownsNothing_allocatesOnlyTheRecord() {
        AtomicLong open = new AtomicLong();
        TaskControlBlock[] kept = new TaskControlBlock[N];
        for (int i = 0; i < N; i++) { // warm-up: class loading and JIT out of the measured loop
            kept[i] = record(i, open);
        }
        long before = Fixtures.allocatedBytes();
        for (int i = 0; i < N; i++) {
            kept[i] = record(N + i, open);
        }
        double perRecord = (double) (Fixtures.allocatedBytes() - before) / N;
        assertThat(kept[N - 1].id()).isEqualTo(2L * N - 1);
        // 128 B now (it also holds the body until its thread starts: no 32 B start lambda per task); before: a 144 B
        // record, a 24 B resource list and a 16 B lock object (184 B). The JMX reading adds well under 1 B per record.
        assertThat(perRecord).as("bytes per new task record").isLessThan(129);
    }

    /** The task table keys a record by the record itself: putting one allocates its map node, no boxed id. */
    @Test
    void taskTable_put_allocatesNoBoxedKey() {
        AtomicLong open = new AtomicLong();
        Tables tables = new Tables(new Topology("footprint"));
        TaskControlBlock[] records = new TaskControlBlock[N];
        for (int i = 0; i < N; i++) {
            records[i] = record(1_000_000L + i, open); // ids past the Long cache
        }
        Tables warm = new Tables(new Topology("warm"));
        for (TaskControlBlock t : records) {
            warm.putLiveTask(t);
        }
        long before = Fixtures.allocatedBytes();
        for (TaskControlBlock t : records) {
            tables.putLiveTask(t);
        }
        double perTask = (double) (Fixtures.allocatedBytes() - before) / N;
        assertThat(tables.task(1_000_000L + 7)).isSameAs(records[7]);
        // a node is 32 B and the table's growth adds ~8-16 B per entry; a boxed Long key would add 24 B more
        assertThat(perTask).as("bytes per task table entry").isLessThanOrEqualTo(50);
    }

    /** The task table finds, misses and forgets records by id as before. */
    @Test
    void taskTable_lookupByIdAfterRemove_missesOnlyTheRemoved() {
        AtomicLong open = new AtomicLong();
        Tables tables = new Tables(new Topology("lookup"));
        TaskControlBlock a = record(500, open);
        TaskControlBlock b = record(501, open);
        tables.putLiveTask(a);
        tables.putLiveTask(b);
        tables.removeTask(a);
        assertThat(tables.task(500)).isNull();
        assertThat(tables.task(501)).isSameAs(b);
        assertThat(tables.task(502)).isNull();
        assertThat(tables.tasks()).containsExactly(b);
    }

    /** A task that ends owning nothing gets the shared closed list: a later registration is refused. */
    @Test
    void resources_endedOwningNothing_refuseLaterRegistration() {
        TaskControlBlock t = record(600, new AtomicLong());
        assertThat(t.ownedResourceCount()).isZero();
        assertThat(t.takeResources()).isNull();
        assertThat(t.resources()).isSameAs(ResourceList.closedEmpty());
        assertThat(t.resources().add(() -> {})).isNull();
        assertThat(t.resources().closeAll()).isEmpty();
    }

    /** A resource registered before the end is taken by the exit, and counted until then. */
    @Test
    void resources_registeredBeforeEnd_takenByTheExit() {
        AtomicLong open = new AtomicLong();
        TaskControlBlock t = record(601, open);
        AutoCloseable r = () -> {};
        assertThat(t.resources().add(r)).isNotNull();
        assertThat(t.ownedResourceCount()).isEqualTo(1);
        assertThat(open.get()).isEqualTo(1);
        var taken = t.takeResources();
        assertThat(taken).hasSize(1);
        assertThat(t.resources().closeTaken(taken)).isEmpty();
        assertThat(open.get()).isZero();
        assertThat(t.resources().add(r)).isNull();
    }

    /** The member list keeps joining order, removes from head, middle and tail, and ignores strangers. */
    @Test
    void memberList_removeAnywhere_keepsJoiningOrder() {
        AtomicLong open = new AtomicLong();
        MemberList list = new MemberList();
        TaskControlBlock[] t = new TaskControlBlock[5];
        for (int i = 0; i < t.length; i++) {
            t[i] = record(700 + i, open);
            list.add(t[i]);
        }
        TaskControlBlock stranger = record(799, open);
        assertThat(list.remove(stranger)).isFalse();
        assertThat(list.remove(t[2])).isTrue();
        assertThat(list.remove(t[2])).isFalse();
        assertThat(list.remove(t[0])).isTrue();
        assertThat(list.remove(t[4])).isTrue();
        assertThat(list.toList()).containsExactly(t[1], t[3]);
        assertThat(list.size()).isEqualTo(2);
        list.add(t[0]);
        assertThat(list.toList()).containsExactly(t[1], t[3], t[0]);
        assertThat(list.remove(t[1])).isTrue();
        assertThat(list.remove(t[3])).isTrue();
        assertThat(list.remove(t[0])).isTrue();
        assertThat(list.toList()).isEmpty();
        assertThat(list.size()).isZero();
        assertThat(list.first()).isNull();
    }
}
