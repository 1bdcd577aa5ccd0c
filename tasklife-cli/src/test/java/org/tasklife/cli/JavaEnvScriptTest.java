package org.tasklife.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/java-env}, which bin/tasklife and scripts/build use to find a JDK 21+: it looks at JAVA_HOME,
 * the {@code java} on PATH, then the usual folders (Linux packages, macOS, SDKMAN), and says where it looked.
 * Each test runs the script with a made-up environment of fake JDKs (a {@code bin/java} that prints a
 * version, a {@code bin/javac}).
 */
class JavaEnvScriptTest {
    private static final Path SCRIPT = Path.of("../scripts/java-env").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path tools; // PATH for the script: grep and readlink only, no java

    private record Result(int code, String out, String err) {}

    @BeforeEach
    void tools() throws IOException {
        tools = Files.createDirectories(tmp.resolve("tools"));
        for (String tool : List.of("grep", "readlink")) {
            Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream().filter(Files::isExecutable)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + tool + " on this machine"));
            executable(tools.resolve(tool), "#!/bin/sh\nexec " + real + " \"$@\"\n"); // not a link out of the temp dir
        }
    }

    /** A fake JDK home at {@code home} whose java reports {@code version}; with javac unless {@code jre}. */
    private static Path fakeJdk(Path home, String version, boolean jre) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        executable(bin.resolve("java"), "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2030-01-01' >&2\n");
        if (!jre) {
            executable(bin.resolve("javac"), "#!/bin/sh\nexit 0\n");
        }
        return home;
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("HOME", tmp.resolve("home").toString());
        pb.environment().put("PATH", tools.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("script ended").isTrue();
        return new Result(p.exitValue(), out.strip(), new String(err.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    /** A JDK 25 first on PATH (through a link, as SDKMAN's current) is chosen when JAVA_HOME is not set. */
    @Test
    void javaOnPath_jdk25_chosenWithoutJavaHome() throws Exception {
        Path jdk = fakeJdk(tmp.resolve("jdks/25.0.1-tem"), "25.0.1", false);
        Files.createSymbolicLink(tmp.resolve("jdks/current"), jdk);
        Result r = run(Map.of("PATH", tmp.resolve("jdks/current/bin") + ":" + tools,
                "TASKLIFE_JDK_SEARCH", tmp.resolve("none") + "/*"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(jdk.toRealPath().toString());
    }

    /** A JDK under ~/.sdkman/candidates/java is found with nothing on PATH and no JAVA_HOME; --explain lists every place. */
    @Test
    void sdkmanFolder_newestJdk_chosenAndExplained() throws Exception {
        fakeJdk(tmp.resolve("home/.sdkman/candidates/java/21.0.5-tem"), "21.0.5", false);
        Path newest = fakeJdk(tmp.resolve("home/.sdkman/candidates/java/99-tem"), "99", false);
        Result r = run(Map.of(), "--explain");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(newest.toString());
        assertThat(r.err()).contains("JAVA_HOME: not set", "PATH: no java command",
                "/Library/Java/JavaVirtualMachines/*/Contents/Home", "21.0.5-tem: java 21", "99-tem: java 99");
    }

    /** The macOS layout (a .jdk bundle's Contents/Home) is searched, and a JAVA_HOME that is too old is passed over. */
    @Test
    void macOsLayout_oldJavaHome_newerBundleChosenWithNotice() throws Exception {
        Path old = fakeJdk(tmp.resolve("jdk17"), "17.0.9", false);
        Path bundle = fakeJdk(tmp.resolve("Library/Java/JavaVirtualMachines/temurin-25.jdk/Contents/Home"), "25", false);
        Result r = run(Map.of("JAVA_HOME", old.toString(),
                "TASKLIFE_JDK_SEARCH", tmp.resolve("Library/Java/JavaVirtualMachines") + "/*/Contents/Home"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(bundle.toString());
        assertThat(r.err()).contains("JAVA_HOME=" + old + " is not a JDK 21+", "java 25");
    }

    /** With no JDK 21+ anywhere the script fails (1) and says what it found at each place it looked. */
    @Test
    void noJdk21_fails_sayingWhereItLooked() throws Exception {
        Path jre = fakeJdk(tmp.resolve("jre21"), "21.0.2", true);
        fakeJdk(tmp.resolve("jvm/java-17"), "17.0.9", false);
        Result r = run(Map.of("JAVA_HOME", jre.toString(), "TASKLIFE_JDK_SEARCH", tmp.resolve("jvm") + "/*"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("no JDK 21+ found", "JAVA_HOME=" + jre + ": java 21, but no bin/javac",
                "PATH: no java command", "java-17: java 17 (too old)");
    }
}
