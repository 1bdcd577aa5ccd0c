package org.tasklife.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a compiled module as text, read from its class files: every public type of its
 * unqualified exports (nested ones whose enclosing types are public too), with its kind, modifiers,
 * supertypes, and its public and protected constructors, methods and fields, by their generic signatures
 * (as {@link Method#toGenericString()} writes them). Members are sorted, so moving code inside a file does
 * not change the dump; anything a caller or subclass outside the module can name does. This is what
 * kotlinx's binary-compatibility validator keeps in its {@code .api} files, for Java.
 *
 * <pre>
 * public final class org.tasklife.Kernel implements java.lang.AutoCloseable
 *   public static org.tasklife.Kernel org.tasklife.Kernel.boot()
 * </pre>
 */
public final class ApiDump {
    private ApiDump() {}

    /**
     * Checks the module compiled into {@code classes} against its committed dump: equal, or an
     * {@link AssertionError} with a type-by-type diff and how to regenerate the dump. With
     * {@code -Dtasklife.api.update=true} it writes the dump instead (what {@code scripts/api-dump} runs).
     *
     * @param dump the committed dump, relative to the module's directory (where Maven runs the tests)
     * @param module the module's directory in the repository, to name the dump in messages
     */
    public static void check(Path classes, Path dump, String module, ClassLoader loader) throws IOException {
        String actual = of(classes, loader);
        String committed = module + "/" + dump;
        if (Boolean.getBoolean("tasklife.api.update")) {
            Files.createDirectories(dump.toAbsolutePath().getParent());
            Files.writeString(dump, actual);
            System.out.println("ApiDump: wrote " + dump.toAbsolutePath());
            return;
        }
        String how = "if the change is intended, regenerate the dump with `scripts/api-dump` (or run this test with"
                + " -Dtasklife.api.update=true) and commit " + committed + " with the change";
        if (!Files.exists(dump)) {
            throw new AssertionError("no API dump at " + dump.toAbsolutePath() + "; " + how);
        }
        String expected = Files.readString(dump);
        if (!expected.equals(actual)) {
            throw new AssertionError("the public API differs from " + committed + " (- only in the dump, + only in"
                    + " the class files):\n" + diff(expected, actual) + "\n" + how);
        }
    }

    /** Type by type: removed and added types, then each type's removed and added members. */
    public static String diff(String expected, String actual) {
        Map<String, List<String>> e = blocks(expected);
        Map<String, List<String>> a = blocks(actual);
        StringBuilder sb = new StringBuilder();
        for (var type : e.entrySet()) {
            if (!a.containsKey(type.getKey())) {
                sb.append("- ").append(type.getKey()).append('\n');
            }
        }
        for (var type : a.entrySet()) {
            if (!e.containsKey(type.getKey())) {
                sb.append("+ ").append(type.getKey()).append('\n');
                continue;
            }
            List<String> removed = new ArrayList<>(e.get(type.getKey()));
            removed.removeAll(type.getValue());
            List<String> added = new ArrayList<>(type.getValue());
            added.removeAll(e.get(type.getKey()));
            if (!removed.isEmpty() || !added.isEmpty()) {
                sb.append("  ").append(type.getKey()).append('\n');
                removed.forEach(m -> sb.append("-   ").append(m).append('\n'));
                added.forEach(m -> sb.append("+   ").append(m).append('\n'));
            }
        }
        return sb.length() == 0 ? "(only the header or the layout differs)\n" : sb.toString();
    }

    private static Map<String, List<String>> blocks(String dump) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : dump.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("  ")) {
                if (current != null) {
                    current.add(line.strip());
                }
            } else {
                current = new ArrayList<>();
                out.put(line, current);
            }
        }
        return out;
    }

    /**
     * The dump of the module compiled into {@code classes} (a directory holding {@code module-info.class}),
     * loading its classes with {@code loader}.
     */
    public static String of(Path classes, ClassLoader loader) {
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("no module-info.class in " + classes.toAbsolutePath(), e);
        }
        List<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).sorted().toList();
        StringBuilder sb = new StringBuilder();
        sb.append("# The public API of module ").append(module.name()).append(": exported packages ")
                .append(String.join(", ", exported)).append('\n');
        for (Map.Entry<String, List<String>> type : types(classes, exported, loader).entrySet()) {
            sb.append('\n').append(type.getKey()).append('\n');
            for (String member : type.getValue()) {
                sb.append("  ").append(member).append('\n');
            }
        }
        return sb.toString();
    }

    /** Each API type's header line, sorted by name, and its members' lines, sorted. */
    public static Map<String, List<String>> types(Path classes, List<String> packages, ClassLoader loader) {
        Map<String, List<String>> out = new TreeMap<>((a, b) -> typeName(a).compareTo(typeName(b)));
        for (String pkg : packages) {
            Path dir = classes.resolve(pkg.replace('.', '/'));
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".class")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Path f : files) {
                String simple = f.getFileName().toString().replaceFirst("\\.class$", "");
                if (simple.equals("package-info")) {
                    continue;
                }
                Class<?> c;
                try {
                    c = Class.forName(pkg + "." + simple, false, loader);
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("cannot load " + pkg + "." + simple, e);
                }
                if (isApi(c)) {
                    out.put(header(c), members(c));
                }
            }
        }
        return out;
    }

    /** Public, not synthetic or anonymous or local, and every enclosing type public. */
    static boolean isApi(Class<?> c) {
        if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass()) {
            return false;
        }
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static String typeName(String header) {
        String[] words = header.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (words[i].equals("class") || words[i].equals("interface") || words[i].equals("enum")
                    || words[i].equals("record") || words[i].equals("@interface")) {
                return words[i + 1].replaceAll("<.*", "");
            }
        }
        return header;
    }

    static String header(Class<?> c) {
        int mods = c.getModifiers();
        String kind;
        if (c.isAnnotation()) {
            kind = "@interface";
            mods &= ~(Modifier.INTERFACE | Modifier.ABSTRACT);
        } else if (c.isInterface()) {
            kind = "interface";
            mods &= ~(Modifier.INTERFACE | Modifier.ABSTRACT);
        } else if (c.isEnum()) {
            kind = "enum";
            mods &= ~(Modifier.FINAL | Modifier.ABSTRACT);
        } else if (c.isRecord()) {
            kind = "record";
            mods &= ~Modifier.FINAL;
        } else {
            kind = "class";
        }
        StringBuilder sb = new StringBuilder(Modifier.toString(mods));
        if (c.isSealed()) {
            sb.append(" sealed");
        }
        sb.append(' ').append(kind).append(' ').append(c.getName()).append(typeParameters(c.getTypeParameters()));
        Type sup = c.getGenericSuperclass();
        if (sup != null && !c.isInterface() && !c.isEnum() && !c.isRecord() && sup != Object.class) {
            sb.append(" extends ").append(sup.getTypeName());
        }
        Type[] interfaces = c.getGenericInterfaces();
        if (interfaces.length > 0) {
            sb.append(c.isInterface() ? " extends " : " implements ").append(Stream.of(interfaces)
                    .map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        if (c.isSealed()) {
            sb.append(" permits ").append(Stream.of(c.getPermittedSubclasses()).map(Class::getName).sorted()
                    .collect(Collectors.joining(", ")));
        }
        return sb.toString().strip();
    }

    private static String typeParameters(TypeVariable<?>[] params) {
        if (params.length == 0) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (TypeVariable<?> p : params) {
            Type[] bounds = p.getBounds();
            boolean plain = bounds.length == 1 && bounds[0] == Object.class;
            out.add(p.getName() + (plain ? "" : " extends " + Stream.of(bounds).map(Type::getTypeName)
                    .collect(Collectors.joining(" & "))));
        }
        return "<" + String.join(", ", out) + ">";
    }

    /**
     * The public and protected members declared by {@code c}, sorted by name (constructors first), then by
     * signature; compiler-made bridges left out.
     */
    static List<String> members(Class<?> c) {
        TreeSet<String> out = new TreeSet<>(Comparator.comparing(ApiDump::memberName).thenComparing(s -> s));
        Map<String, Member> all = new LinkedHashMap<>();
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            all.put("c" + all.size(), k);
        }
        for (Method m : c.getDeclaredMethods()) {
            all.put("m" + all.size(), m);
        }
        for (Field f : c.getDeclaredFields()) {
            all.put("f" + all.size(), f);
        }
        for (Member m : all.values()) {
            int mods = m.getModifiers();
            if (m.isSynthetic() || !(Modifier.isPublic(mods) || Modifier.isProtected(mods) && !isFinal(c))) {
                continue;
            }
            if (m instanceof Method method && method.isBridge()) {
                continue;
            }
            String s = switch (m) {
                case Constructor<?> k -> k.toGenericString();
                case Method method -> method.toGenericString();
                case Field f -> f.toGenericString();
                default -> throw new IllegalStateException("unexpected member " + m);
            };
            out.add(s.replace(c.getName() + ".", "")); // the declaring type is the block's header
        }
        return List.copyOf(out);
    }

    /** A member line's name: the word before its parameter list, or a field's last word; "" for a constructor. */
    private static String memberName(String line) {
        int paren = line.indexOf('(');
        String head = paren < 0 ? line : line.substring(0, paren);
        String word = head.substring(head.lastIndexOf(' ') + 1);
        return word.contains(".") ? "" : word; // a constructor is named by its class, with its package
    }

    /** Protected members of a final class (or an enum, a record) cannot be reached from outside. */
    private static boolean isFinal(Class<?> c) {
        return Modifier.isFinal(c.getModifiers()) || c.isEnum() || c.isRecord();
    }
}
