package org.tasklife.testkit;

import org.assertj.core.api.Condition;
import org.tasklife.TaskLifeException;

/** AssertJ conditions on the {@link TaskLifeException.Reason} of a thrown exception. */
public final class Reasons {
    private Reasons() {}

    /**
     * A {@link TaskLifeException} with reason {@code r}:
     * {@code assertThatThrownBy(() -> t.join()).is(reason(DEADLOCK)).hasMessageContaining("itself")}.
     */
    public static Condition<Object> reason(TaskLifeException.Reason r) {
        return new Condition<>(e -> e instanceof TaskLifeException x && x.reason() == r,
                "a TaskLifeException with reason %s", r);
    }
}
