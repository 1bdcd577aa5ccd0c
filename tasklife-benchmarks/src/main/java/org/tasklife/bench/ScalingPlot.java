package org.tasklife.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scaling curves: cost per task against the crowd size N, for the mass kill and the domain
 * stop, tasklife beside the floor (flag + unpark + exit of N parked virtual threads) and the JDK (interrupt +
 * join), drawn as a small SVG from the JMH JSON that {@code bench/run} writes. No plotting library: the SVG
 * is a few hundred lines of text.
 *
 * <pre>
 * java -cp benchmarks.jar org.tasklife.bench.ScalingPlot RESULT.json OUT.svg [MILLION_LINES_FILE...]
 * </pre>
 *
 * <p>Each point is the <em>median</em> of a row's single shots (every measured shot of every fork), divided by
 * N: microseconds per task. Rows at 10,000 and 100,000 come from {@code MassKillBench} and
 * {@code DomainStopBench}; the JMH suite has no 1,000,000 row (one shot of a million takes 5–25 s on 2 cores,
 * times 4 shots and 3 rows: too long for the 15-minute budget of a full run). Optional further files are scanned
 * for the {@code million ...} lines of {@code MillionSleepers} (run by {@code bench/run --peers}); they add a
 * 1,000,000 point to the domain-stop panel (one warm shot each; the tasks there sleep, the JMH rows wait in every
 * kind of wait). X and Y are logarithmic. Prints one {@code scaling ...} line per point.
 */
public final class ScalingPlot {
    private ScalingPlot() {}

    /** One curve: a label, a colour, and its points (N -> µs per task). */
    record Series(String label, String colour, boolean dashed, TreeMap<Integer, Double> points) {}

    /** One panel: a title and its curves, in legend order. */
    record Panel(String title, List<Series> series) {}

    /** Which JMH rows make which curve: class, method, label, colour, dashed (baselines are dashed). */
    private record Curve(String cls, String method, String label, String colour, boolean dashed) {}

    private static final List<Curve> MASS_KILL = List.of(
            new Curve("MassKillBench", "killGroup_mutex", "tasklife kill, blocked on a Mutex", "#1f77b4", false),
            new Curve("MassKillBench", "killGroup_semaphore", "tasklife kill, blocked on a Semaphore", "#2ca02c", false),
            new Curve("MassKillBench", "killGroup_condition", "tasklife kill, blocked on a Condition", "#9467bd", false),
            new Curve("MassKillBench", "floor_flagUnparkExit_vthread", "floor: flag + unpark + exit", "#7f7f7f", true),
            new Curve("MassKillBench", "interruptJoin_jdkSemaphore_vthread", "JDK: interrupt + join", "#d62728", true));

    private static final List<Curve> DOMAIN_STOP = List.of(
            new Curve("DomainStopBench", "stopDomain_everyWait", "tasklife domain stop", "#1f77b4", false),
            new Curve("DomainStopBench", "floor_flagUnparkExit_vthread", "floor: flag + unpark + exit", "#7f7f7f", true),
            new Curve("DomainStopBench", "interruptJoin_jdkEveryWait_vthread", "JDK: interrupt + join", "#d62728", true));

    /**
     * Writes the plot.
     *
     * @param args the JMH JSON file, the SVG to write, then any files holding {@code million ...} lines
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ScalingPlot RESULT.json OUT.svg [MILLION_LINES_FILE...]");
            System.exit(2);
            return;
        }
        Object json = Json.parse(Files.readString(Path.of(args[0])));
        List<String> millionLines = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            Path p = Path.of(args[i]);
            if (Files.isReadable(p)) {
                millionLines.addAll(Files.readAllLines(p));
            }
        }
        List<Panel> panels = panels(json, millionLines);
        int points = panels.stream().flatMap(p -> p.series().stream()).mapToInt(s -> s.points().size()).sum();
        if (points == 0) {
            System.out.println("scaling: no MassKillBench / DomainStopBench rows in " + args[0] + ": no plot");
            return;
        }
        for (Panel p : panels) {
            for (Series s : p.series()) {
                s.points().forEach((n, us) -> System.out.printf(Locale.ROOT, "scaling %s | %s | n=%d | %.3f us/task%n",
                        p.title(), s.label(), n, us));
            }
        }
        Path out = Path.of(args[1]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, svg(panels, "each point: median of a row's measured shots / N; source: "
                + Path.of(args[0]).getFileName()));
        System.out.println("scaling: wrote " + out);
    }

    /** The two panels from a JMH JSON result (a list of benchmark objects) and MillionSleepers' lines. */
    static List<Panel> panels(Object json, List<String> millionLines) {
        Map<String, TreeMap<Integer, Double>> byRow = new LinkedHashMap<>();
        if (json instanceof List<?> benchmarks) {
            for (Object o : benchmarks) {
                if (!(o instanceof Map<?, ?> b)) {
                    continue;
                }
                String full = String.valueOf(b.get("benchmark"));
                int dot = full.lastIndexOf('.');
                String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
                String method = full.substring(dot + 1);
                Integer crowd = b.get("params") instanceof Map<?, ?> params && params.get("crowd") != null
                        ? Integer.valueOf(String.valueOf(params.get("crowd"))) : null;
                if (crowd == null || !(b.get("primaryMetric") instanceof Map<?, ?> metric)) {
                    continue;
                }
                double ms = medianMillis(metric);
                if (!Double.isNaN(ms)) {
                    byRow.computeIfAbsent(cls + "." + method, k -> new TreeMap<>()).put(crowd, ms * 1000.0 / crowd);
                }
            }
        }
        Panel kill = panel("Mass kill of N tasks of one group → group onExit", MASS_KILL, byRow);
        Panel stop = panel("Domain stop with N tasks → onStopped", DOMAIN_STOP, byRow);
        addMillion(stop, millionLines);
        return List.of(kill, stop);
    }

    private static Panel panel(String title, List<Curve> curves, Map<String, TreeMap<Integer, Double>> byRow) {
        List<Series> series = new ArrayList<>();
        for (Curve c : curves) {
            TreeMap<Integer, Double> pts = byRow.getOrDefault(c.cls() + "." + c.method(), new TreeMap<>());
            series.add(new Series(c.label(), c.colour(), c.dashed(), new TreeMap<>(pts)));
        }
        return new Panel(title, series);
    }

    private static final Pattern MILLION = Pattern.compile(
            "^million (tasklife|vthread-sleep|floor) n=(\\d+) .*?(?:stop|interrupt\\+join|flag\\+unpark\\+exit)=(\\d+) ms");

    /**
     * Adds MillionSleepers' one-shot figures (tasklife stop, JDK interrupt + join, floor) to the stop panel: the
     * warm ones (the JMH rows beside them are measured after warm-up too), not those of a cold JVM.
     */
    private static void addMillion(Panel stop, List<String> lines) {
        for (String l : lines) {
            Matcher m = MILLION.matcher(l.trim());
            if (!m.find() || l.contains("jit=cold")) {
                continue;
            }
            int n = Integer.parseInt(m.group(2));
            double usPerTask = Double.parseDouble(m.group(3)) * 1000.0 / n;
            int index = switch (m.group(1)) {
                case "tasklife" -> 0;
                case "floor" -> 1;
                default -> 2;
            };
            stop.series().get(index).points().put(n, usPerTask);
        }
    }

    /** The median of every raw measured shot of a row (ms), or its score if the raw data are absent. */
    private static double medianMillis(Map<?, ?> metric) {
        List<Double> shots = new ArrayList<>();
        if (metric.get("rawData") instanceof List<?> forks) {
            for (Object f : forks) {
                if (f instanceof List<?> values) {
                    for (Object v : values) {
                        if (v instanceof Number num) {
                            shots.add(num.doubleValue());
                        }
                    }
                }
            }
        }
        double scale = switch (String.valueOf(metric.get("scoreUnit"))) {
            case "s/op" -> 1000.0;
            case "us/op" -> 0.001;
            case "ns/op" -> 0.000001;
            default -> 1.0; // ms/op, the unit of the single-shot crowd rows
        };
        if (shots.isEmpty()) {
            return metric.get("score") instanceof Number s ? s.doubleValue() * scale : Double.NaN;
        }
        double[] a = shots.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
        return median * scale;
    }

    // ---- drawing ----

    private static final int PANEL_W = 460;
    private static final int PANEL_H = 300;
    private static final int LEFT = 62;
    private static final int TOP = 40;
    private static final int LEGEND_H = 92;

    /** The SVG text of the panels, side by side. */
    static String svg(List<Panel> panels, String caption) {
        int width = panels.size() * (PANEL_W + LEFT + 20) + 10;
        int height = TOP + PANEL_H + 40 + LEGEND_H + 16;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        for (int i = 0; i < panels.size(); i++) {
            drawPanel(sb, panels.get(i), i * (PANEL_W + LEFT + 20) + LEFT);
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>%n", LEFT, height - 8,
                escape(caption)));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void drawPanel(StringBuilder sb, Panel p, int x0) {
        double[] xs = {1e4, 1e6};
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : p.series()) {
            for (double v : s.points().values()) {
                if (v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            lo = 0.1;
            hi = 10;
        }
        double yLo = Math.pow(10, Math.floor(Math.log10(lo)));
        double yHi = Math.pow(10, Math.ceil(Math.log10(hi)));
        if (yHi <= yLo) {
            yHi = yLo * 10;
        }
        final double yl = yLo;
        final double yh = yHi;
        java.util.function.DoubleUnaryOperator px = n -> x0 + (Math.log10(n) - Math.log10(xs[0]))
                / (Math.log10(xs[1]) - Math.log10(xs[0])) * PANEL_W;
        java.util.function.DoubleUnaryOperator py = v -> TOP + PANEL_H - (Math.log10(v) - Math.log10(yl))
                / (Math.log10(yh) - Math.log10(yl)) * PANEL_H;
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                x0, TOP - 16, escape(p.title())));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#333\"/>%n", x0, TOP, PANEL_W, PANEL_H));
        for (double n : new double[] {1e4, 1e5, 1e6}) {
            double x = px.applyAsDouble(n);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, TOP, x, TOP + PANEL_H));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP + PANEL_H + 15, String.format(Locale.ROOT, "%,d", (long) n)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">N (tasks)</text>%n",
                x0 + PANEL_W / 2, TOP + PANEL_H + 30));
        for (double v = yLo; v <= yHi * 1.0001; v *= 10) {
            double y = py.applyAsDouble(v);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    x0, y, x0 + PANEL_W, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    x0 - 4, y + 4, v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1g", v)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" "
                + "text-anchor=\"middle\">µs per task (log)</text>%n", x0 - 46, TOP + PANEL_H / 2, x0 - 46, TOP + PANEL_H / 2));
        int legendY = TOP + PANEL_H + 48;
        for (Series s : p.series()) {
            String dash = s.dashed() ? " stroke-dasharray=\"5,3\"" : "";
            if (s.points().size() > 1) {
                StringBuilder path = new StringBuilder();
                s.points().forEach((n, v) -> path.append(path.isEmpty() ? "" : " ")
                        .append(String.format(Locale.ROOT, "%.1f,%.1f", px.applyAsDouble(n), py.applyAsDouble(v))));
                sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                        + "stroke-width=\"2\"%s/>%n", path, s.colour(), dash));
            }
            s.points().forEach((n, v) -> sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
                    + "fill=\"%s\"><title>%s, N=%,d: %.3f µs/task</title></circle>%n", px.applyAsDouble(n),
                    py.applyAsDouble(v), s.colour(), escape(s.label()), n, v)));
            String missing = s.points().isEmpty() ? " (not in this run)" : "";
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/>%n", x0, legendY - 4, x0 + 24, legendY - 4, s.colour(), dash));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s%s</text>%n", x0 + 30, legendY,
                    escape(s.label()), missing));
            legendY += 16;
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** A minimal JSON reader (objects as maps, arrays as lists, numbers as doubles): enough for JMH's output. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            Object v = j.value();
            j.ws();
            if (j.i != j.s.length()) {
                throw j.error("trailing characters");
            }
            return v;
        }

        private Object value() {
            ws();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        ws();
                        String k = string();
                        ws();
                        expect(':');
                        m.put(k, value());
                        ws();
                    } while (peek(','));
                    expect('}');
                    return m;
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) {
                        return l;
                    }
                    do {
                        l.add(value());
                        ws();
                    } while (peek(','));
                    expect(']');
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    for (String lit : new String[] {"true", "false", "null", "NaN"}) {
                        if (s.startsWith(lit, i)) {
                            i += lit.length();
                            return switch (lit) {
                                case "true" -> Boolean.TRUE;
                                case "false" -> Boolean.FALSE;
                                case "NaN" -> Double.NaN;
                                default -> null;
                            };
                        }
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw error("unexpected '" + c + "'");
                    }
                    return Double.parseDouble(s.substring(start, i));
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            expect('"');
            return b.toString();
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON at offset " + i + ": " + what + " (" + Arrays.toString(
                    new String[] {s.substring(Math.max(0, i - 20), Math.min(s.length(), i + 20))}) + ")");
        }
    }
}
