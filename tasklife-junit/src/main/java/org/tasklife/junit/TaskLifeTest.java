package org.tasklife.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class (or method) whose tests get a fresh {@link org.tasklife.Kernel} parameter and a leak
 * audit when they end: the same as {@code @ExtendWith(TaskLifeExtension.class)}.
 *
 * <pre>{@code
 * @TaskLifeTest
 * class WorkerTest {
 *     @Test
 *     void worker_stopsWhenKilled(Kernel kernel) {
 *         TaskGroup g = kernel.spawnGroup("worker", () -> { Tasks.sleep(Duration.ofHours(1)); return 0; });
 *         g.kill();          // without this line the test fails: a live task, an armed timer, and a ps table
 *         assertEquals(ExitStatus.KILLED, g.reap());
 *     }
 * }
 * }</pre>
 *
 * @see TaskLifeExtension
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TaskLifeExtension.class)
public @interface TaskLifeTest {}
