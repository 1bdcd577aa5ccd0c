package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.sync.BrokenBarrierException;
import org.tasklife.sync.MutexNotRecoverableException;
import org.tasklife.sync.OwnerDiedException;
import org.tasklife.testkit.ApiDump;

/** SPEC §12: one exception type per way of catching, a reason on every one. */
class TaskLifeExceptionTest {

    /**
     * The exported packages hold exactly the exception types a caller catches in its own way: the rest are
     * reasons of a plain TaskLifeException.
     */
    @Test
    void exportedExceptionTypes_exactlyThoseCaughtTheirOwnWay() {
        Map<String, List<String>> types = ApiDump.types(Path.of("target", "classes"),
                List.of("org.tasklife", "org.tasklife.explore", "org.tasklife.interop", "org.tasklife.management",
                        "org.tasklife.sync"),
                TaskLifeExceptionTest.class.getClassLoader());
        List<String> throwables = types.keySet().stream().filter(h -> h.contains("Exception") || h.contains("Error"))
                .map(h -> h.replaceAll(".* (class|record|enum|interface) ([\\w.$]+).*", "$2")).sorted().toList();

        assertThat(throwables).containsExactly("org.tasklife.DomainAccessException",
                "org.tasklife.DomainLimitExceededException", "org.tasklife.NoChildException",
                "org.tasklife.SpawnRefusedException", "org.tasklife.TaskFailedException", "org.tasklife.TaskKilledError",
                "org.tasklife.TaskKilledException", "org.tasklife.TaskLifeException",
                "org.tasklife.TaskLifeException$Reason", "org.tasklife.sync.BrokenBarrierException",
                "org.tasklife.sync.MutexNotRecoverableException", "org.tasklife.sync.OwnerDiedException");
    }

    /** Each type of its own carries its own reason, so a handler may test the reason alone. */
    @Test
    void ownTypes_carryTheirReason() {
        assertThat(new NoChildException("m").reason()).isEqualTo(Reason.NO_CHILD);
        assertThat(new SpawnRefusedException("m").reason()).isEqualTo(Reason.SPAWN_REFUSED);
        assertThat(new DomainLimitExceededException("d", 1, "m").reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(new TaskKilledException("m").reason()).isEqualTo(Reason.TASK_KILLED);
        assertThat(new TaskFailedException("m", new RuntimeException()).reason()).isEqualTo(Reason.TASK_FAILED);
        assertThat(new OwnerDiedException("m", (org.tasklife.sync.Mutex) null).reason()).isEqualTo(Reason.OWNER_DIED);
        assertThat(new MutexNotRecoverableException("m").reason()).isEqualTo(Reason.NOT_RECOVERABLE);
        assertThat(new BrokenBarrierException("m").reason()).isEqualTo(Reason.BROKEN_BARRIER);
    }

    /** A plain TaskLifeException takes a reason without a type of its own, and refuses the others. */
    @Test
    void plainException_refusesAReasonWithItsOwnType() {
        TaskLifeException e = new TaskLifeException(Reason.DEADLOCK, "self-join");
        assertThat(e.reason()).isEqualTo(Reason.DEADLOCK);
        assertThat(e).hasMessage("self-join").hasNoCause();
        assertThatThrownBy(() -> new TaskLifeException(Reason.NO_CHILD, "m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NO_CHILD");
        assertThatThrownBy(() -> new TaskLifeException(null, "m")).isInstanceOf(NullPointerException.class);
    }
}
