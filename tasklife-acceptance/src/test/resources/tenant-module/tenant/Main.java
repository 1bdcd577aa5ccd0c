package tenant;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.tasklife.Domain;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;

/**
 * A tenant's code trying to reach around tasklife's checks through its internals: run in a child JVM by
 * InternalsReachAcceptanceTest, once with tasklife on the module path and once on the class path. Prints
 * one line per attempt ("refused: ..." or "reached: ...") and, last, whether B's victim task survived.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        try (Kernel kernel = Kernel.builder().name("tenant-probe").jmx(false).boot()) {
            Domain a = kernel.createDomain("a");
            Domain b = kernel.createDomain("b");
            TaskGroup victimGroup = b.spawnGroup("victim", () -> {
                Tasks.sleep(java.time.Duration.ofHours(1));
                return 0;
            });
            while (victimGroup.tasks().isEmpty() || victimGroup.tasks().get(0).state() != TaskState.BLOCKED) {
                Thread.onSpinWait();
            }
            Task<?> victim = victimGroup.tasks().get(0);
            CompletableFuture<List<String>> lines = new CompletableFuture<>();
            a.spawnGroup("intruder", () -> {
                List<String> out = new ArrayList<>();
                out.add(attempt("direct API", () -> victim.kill()));
                out.add(attempt("public method of an internal class", () -> {
                    Field coreField = Kernel.class.getDeclaredField("core");
                    Class<?> coreClass = coreField.getType();
                    Method findTask = coreClass.getMethod("findTask", long.class);
                    Method killTask = coreClass.getMethod("killTask", Class.forName("org.tasklife.internal.task.TaskControlBlock"));
                    Object core = unreflectCore(kernel, coreField);
                    Object tcb = findTask.invoke(core, victim.id());
                    killTask.invoke(core, tcb);
                }));
                out.add(attempt("private field by setAccessible", () -> {
                    Field f = Task.class.getDeclaredField("tcb");
                    f.setAccessible(true);
                    Object tcb = f.get(victim);
                    tcb.getClass().getMethod("kill").invoke(tcb);
                }));
                out.add(attempt("internal class by name", () -> {
                    Class<?> c = Class.forName("org.tasklife.internal.task.TaskControlBlock");
                    c.getMethod("current").invoke(null);
                }));
                lines.complete(out);
                return 0;
            });
            lines.get().forEach(System.out::println);
            boolean alive = !victim.isKilled() && victimGroup.state() == org.tasklife.GroupState.ALIVE;
            System.out.println("victim " + (alive ? "untouched" : "killed"));
            b.stop(ExitStatus.KILLED);
        }
    }

    private static Object unreflectCore(Kernel kernel, Field coreField) throws Exception {
        coreField.setAccessible(true); // on the module path this already fails: org.tasklife is not opened
        return coreField.get(kernel);
    }

    private interface Attempt {
        void run() throws Exception;
    }

    private static String attempt(String what, Attempt a) {
        try {
            a.run();
            return "reached: " + what;
        } catch (Throwable e) {
            Throwable c = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            return "refused: " + what + " (" + c.getClass().getSimpleName() + ")";
        }
    }
}
