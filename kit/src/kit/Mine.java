package kit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;

/**
 * The learner's own exercise code, for lessons run with --mine: compiles exercises/ID/ (without its tests) in
 * this JVM and calls into it, so the lesson's scenario runs on the learner's implementation.
 */
public final class Mine {
    private final ClassLoader loader;

    private Mine(ClassLoader loader) { this.loader = loader; }

    /**
     * Compiles the learner's exercise. If it does not compile, prints javac's first errors and ends the process
     * with exit code 1: the lesson cannot run on code that does not exist yet.
     */
    public static Mine compile(String lessonId) {
        Course.Lesson lesson = Course.find(lessonId).orElseThrow();
        Path dir = lesson.exerciseDir(Course.root());
        try {
            List<Path> sources = SourceFiles.in(dir).stream().filter(p -> !p.toString().endsWith("Test.java")).toList();
            Path out = Files.createTempDirectory("mine-" + lesson.number2());
            var diagnostics = new DiagnosticCollector<JavaFileObject>();
            var javac = ToolProvider.getSystemJavaCompiler();
            try (var fm = javac.getStandardFileManager(diagnostics, Locale.ENGLISH, StandardCharsets.UTF_8)) {
                boolean ok = javac.getTask(null, fm, diagnostics,
                    List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path"), "-proc:none", "-nowarn"),
                    null, fm.getJavaFileObjectsFromPaths(sources)).call();
                if (!ok) {
                    System.err.println("--mine: your exercise in exercises/" + lesson.id() + "/ does not compile:");
                    diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).limit(3)
                        .forEach(d -> System.err.println("  " + Path.of(d.getSource().toUri()).getFileName() + ":" + d.getLineNumber()
                            + ": " + d.getMessage(Locale.ENGLISH)));
                    System.err.println("Fix it with ./jbang workbook check " + lesson.number2() + ", then run the lesson again.");
                    System.exit(1);
                }
            }
            return new Mine(new URLClassLoader(new URL[] {out.toUri().toURL()}, Mine.class.getClassLoader()));
        } catch (IOException | UncheckedIOException e) {
            System.err.println("--mine: cannot read exercises/" + lesson.id() + "/ (" + e.getMessage() + ")");
            System.exit(1);
            return null;
        }
    }

    /** A class of the learner's exercise, by its full name ("ratelimit.TokenBucket"). */
    public Class<?> type(String className) {
        try {
            return loader.loadClass(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("--mine: your exercise has no class " + className, e);
        }
    }

    /** {@code new className(args...)} with the learner's class, choosing the constructor that fits the arguments. */
    public Object create(String className, Object... args) {
        for (Constructor<?> c : type(className).getConstructors()) {
            if (fits(c.getParameterTypes(), args)) {
                try {
                    return c.newInstance(args);
                } catch (InvocationTargetException e) {
                    throw rethrow(e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("--mine: " + className + " has no public constructor for " + Arrays.toString(args));
    }

    /** {@code target.method(args...)}; an exception the learner's code throws is thrown as it is. */
    public Object call(Object target, String method, Object... args) {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(method) && fits(m.getParameterTypes(), args)) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw rethrow(e.getCause());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("--mine: " + target.getClass().getName() + " has no public method " + method);
    }

    private static boolean fits(Class<?>[] params, Object[] args) {
        if (params.length != args.length) return false;
        for (int i = 0; i < params.length; i++) {
            if (args[i] != null && !box(params[i]).isInstance(args[i])) return false;
        }
        return true;
    }

    private static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) return c;
        return switch (c.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "double" -> Double.class;
            case "boolean" -> Boolean.class;
            case "float" -> Float.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            case "char" -> Character.class;
            default -> Void.class;
        };
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
