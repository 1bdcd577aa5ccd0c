package org.tasklife.testkit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what tasklife logs through {@link System.Logger} under one logger name, whichever backend the test
 * run's {@link System.LoggerFinder} routes it to: {@code java.util.logging} (the JDK's default), or Logback
 * through SLF4J ({@code slf4j-jdk-platform-logging}), which is reached by reflection so that the test kit needs
 * neither. While open, the logger passes WARNING and above, to the capture only; close restores it.
 */
public final class LogCapture implements AutoCloseable {
    /** One captured record: its level's name as the backend spells it, its text, and what it carries. */
    public record Entry(String level, String text, Throwable thrown) {
        /** Whether the level is a warning or worse (WARNING, SEVERE, WARN, ERROR). */
        public boolean isWarning() {
            return level.startsWith("WARN") || level.equals("SEVERE") || level.equals("ERROR");
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Runnable detach;

    private LogCapture(String name) {
        String backend = System.getLogger(name).getClass().getName();
        this.detach = backend.startsWith("org.slf4j") ? attachLogback(name) : attachJul(name);
    }

    /** Starts capturing the logger {@code name}. */
    public static LogCapture open(String name) {
        return new LogCapture(name);
    }

    /** The records at WARNING or above so far whose text contains {@code text}. */
    public List<Entry> warnings(String text) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.isWarning() && e.text().contains(text)) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        detach.run();
    }

    private Runnable attachJul(String name) {
        Logger logger = Logger.getLogger(name);
        boolean parentHandlers = logger.getUseParentHandlers();
        java.util.logging.Level level = logger.getLevel();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                Object[] p = r.getParameters();
                String text = p == null || p.length == 0 ? r.getMessage()
                        : java.text.MessageFormat.format(r.getMessage(), p);
                entries.add(new Entry(r.getLevel().getName(), text, r.getThrown()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
        logger.setLevel(java.util.logging.Level.WARNING);
        return () -> {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(parentHandlers);
            logger.setLevel(level);
        };
    }

    /** Logback through SLF4J, by reflection: an appender of the logback logger {@code name}, level WARN. */
    private Runnable attachLogback(String name) {
        try {
            Object logger = Class.forName("org.slf4j.LoggerFactory").getMethod("getLogger", String.class)
                    .invoke(null, name);
            Class<?> lbLogger = Class.forName("ch.qos.logback.classic.Logger");
            if (!lbLogger.isInstance(logger)) {
                throw new AssertionError("LogCapture: SLF4J backend " + logger.getClass() + " is not Logback");
            }
            Class<?> lbLevel = Class.forName("ch.qos.logback.classic.Level");
            Class<?> appenderType = Class.forName("ch.qos.logback.core.Appender");
            Object saved = lbLogger.getMethod("getLevel").invoke(logger);
            Object warn = lbLevel.getField("WARN").get(null);
            Object appender = java.lang.reflect.Proxy.newProxyInstance(LogCapture.class.getClassLoader(),
                    new Class<?>[] {appenderType}, (proxy, m, args) -> switch (m.getName()) {
                        case "doAppend" -> {
                            entries.add(fromLogback(args[0]));
                            yield null;
                        }
                        case "getName" -> "LogCapture";
                        case "isStarted" -> true;
                        case "getFilterChainDecision" -> null;
                        case "getCopyOfAttachedFiltersList" -> List.of();
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "toString" -> "LogCapture appender";
                        default -> null;
                    });
            Object additive = lbLogger.getMethod("isAdditive").invoke(logger);
            lbLogger.getMethod("setLevel", lbLevel).invoke(logger, warn);
            lbLogger.getMethod("setAdditive", boolean.class).invoke(logger, false);
            lbLogger.getMethod("addAppender", appenderType).invoke(logger, appender);
            return () -> {
                try {
                    lbLogger.getMethod("detachAppender", appenderType).invoke(logger, appender);
                    lbLogger.getMethod("setAdditive", boolean.class).invoke(logger, additive);
                    lbLogger.getMethod("setLevel", lbLevel).invoke(logger, saved);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            };
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("LogCapture: cannot attach to Logback", e);
        }
    }

    private static Entry fromLogback(Object event) throws ReflectiveOperationException {
        Method level = event.getClass().getMethod("getLevel");
        Method text = event.getClass().getMethod("getFormattedMessage");
        Method proxy = event.getClass().getMethod("getThrowableProxy");
        Object tp = proxy.invoke(event);
        Throwable thrown = null;
        if (tp != null) {
            try {
                thrown = (Throwable) tp.getClass().getMethod("getThrowable").invoke(tp);
            } catch (NoSuchMethodException e) {
                thrown = null; // a proxy without the original throwable
            }
        }
        return new Entry(String.valueOf(level.invoke(event)), String.valueOf(text.invoke(event)), thrown);
    }
}
