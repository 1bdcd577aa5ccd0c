package org.tasklife.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.NoJfrMain;

/**
 * tasklife runs where {@code jdk.jfr} is absent (a runtime image without it, or a module graph that does not
 * resolve it): the JFR event classes are loaded only when JFR is there. Each test runs {@link NoJfrMain},
 * which goes through every traced act, in a child JVM whose observable modules leave {@code jdk.jfr} out.
 */
class JfrOptionalTest {
    private static final String MAIN = NoJfrMain.class.getName();

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the child exits (or the wait below fails)
        assertThat(p.waitFor(Await.LONG.toMillis() * 3, TimeUnit.MILLISECONDS)).as("child JVM ended").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code of %s; output:%n%s", cmd, text).isZero();
        return text;
    }

    /** On the class path with only java.base and java.management observable, the kernel boots, kills and stops. */
    @Test
    void classPath_withoutJdkJfr_kernelWorks() throws Exception {
        String cp = Path.of("target/classes") + File.pathSeparator + Path.of("target/test-classes");
        String out = run(List.of("--limit-modules", "java.base,java.management", "-cp", cp, MAIN));
        assertThat(out).contains("ok jfr=false");
    }

    /** On the module path, org.tasklife resolves without jdk.jfr (it requires it only statically) and works. */
    @Test
    void modulePath_withoutJdkJfr_moduleResolvesAndKernelWorks() throws Exception {
        String out = run(List.of("--limit-modules", "java.base,java.management,org.tasklife",
                "-p", Path.of("target/classes").toString(), "--add-modules", "org.tasklife",
                "-cp", Path.of("target/test-classes").toString(), MAIN));
        assertThat(out).contains("ok jfr=false");
    }
}
