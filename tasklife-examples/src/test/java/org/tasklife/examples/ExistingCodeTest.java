package org.tasklife.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The README's "Using tasklife with existing code" runs as the README says, and ends clean. */
class ExistingCodeTest {
    /**
     * ExistingCode prints what its comments say, one a line, and its kernel's close logs nothing at WARNING
     * (no task was left that a kill could not end: docs/context.md, "what tasklife logs").
     */
    @Test
    void existingCode_run_printsWhatTheReadmeSaysAndClosesClean() throws Exception {
        Logger tasklife = Logger.getLogger("org.tasklife"); // System.Logger's default backend, the library's one logger
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        tasklife.addHandler(capture);
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ExistingCode.main(new String[0]));
        } finally {
            System.setOut(out);
            tasklife.removeHandler(capture);
        }
        assertEquals(List.of("req-42", "fast", "true", "pool-1", "Killed(DEADLINE)", "Exited(0)"),
                buf.toString(StandardCharsets.UTF_8).lines().toList());
        assertEquals(List.of(), warnings);
    }
}
