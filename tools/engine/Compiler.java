package engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a set of sources in this JVM with javac's API (no new process: that is what makes a check take
 * about a second), against this program's own class path, which holds the kit and every library the course uses.
 * Output is cached by the sources' content, so checking an unchanged exercise again does not compile it again.
 */
public final class Compiler {
    /** What compiling gave: class files and the names of the test classes, or javac's error messages. */
    public sealed interface Result permits Compiled, Failed {}

    /** @param testOrder test method names in the order they are written, so reports follow the source */
    public record Compiled(Path classes, List<String> testClasses, List<String> testOrder) implements Result {}

    public record Failed(List<String> errors) implements Result {}

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern METHOD = Pattern.compile("\\bvoid\\s+(\\w+)\\s*\\(");

    private final Path cacheRoot;
    private final Path displayRoot;
    private final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    /**
     * The file manager reports what it finds while reading the sources (a byte that is not UTF-8) to its own
     * listener, not the task's, and the task still succeeds: those go into the compilation in progress.
     */
    private final List<Diagnostic<? extends JavaFileObject>> readingDiagnostics = new ArrayList<>();
    /** Kept open between compilations: it caches the opened jars of the class path, most of a warm compile's cost. */
    private StandardJavaFileManager fileManager;

    /** @param cacheRoot where compiled classes are kept; @param displayRoot paths in messages are shown relative to it */
    public Compiler(Path cacheRoot, Path displayRoot) {
        this.cacheRoot = cacheRoot;
        this.displayRoot = displayRoot;
    }

    public Result compile(Sources sources) {
        try {
            String key = contentKey(sources);
            Path out = cacheRoot.resolve(key);
            List<String> tests = testClassNames(sources);
            List<String> order = testMethodOrder(sources);
            if (Files.exists(out.resolve(".complete"))) return new Compiled(out, tests, order);
            Path tmp = Files.createDirectories(cacheRoot).resolve(key + ".tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
            Files.createDirectories(tmp);
            List<String> errors = javac(sources.paths(), tmp);
            if (!errors.isEmpty()) {
                Folders.deleteTree(tmp);
                return new Failed(errors);
            }
            Files.createFile(tmp.resolve(".complete"));
            try {
                Files.move(tmp, out);
            } catch (IOException alreadyThere) {
                Folders.deleteTree(tmp); // another run compiled the same sources meanwhile
            }
            return new Compiled(out, tests, order);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized List<String> javac(List<Path> files, Path out) throws IOException {
        if (javac == null) throw new IllegalStateException("this Java has no compiler (javac): run with a JDK, not a JRE");
        if (fileManager == null) fileManager = javac.getStandardFileManager(readingDiagnostics::add, Locale.ENGLISH, StandardCharsets.UTF_8);
        readingDiagnostics.clear();
        var diagnostics = new DiagnosticCollector<JavaFileObject>();
        {
            List<String> options = List.of(
                "-d", out.toString(),
                "-classpath", System.getProperty("java.class.path"),
                "-encoding", "UTF-8",
                "-proc:none", "-implicit:none", "-g", "-parameters", "-Xlint:none", "-nowarn");
            var units = fileManager.getJavaFileObjectsFromPaths(files);
            boolean ok = javac.getTask(null, fileManager, diagnostics, options, null, units).call();
            List<String> errors = new ArrayList<>();
            List<Diagnostic<? extends JavaFileObject>> all = new ArrayList<>(readingDiagnostics);
            all.addAll(diagnostics.getDiagnostics());
            for (var d : all) {
                if (d.getKind() == Diagnostic.Kind.ERROR) errors.add(describe(d));
            }
            if (!ok && errors.isEmpty()) errors.add("javac failed without a message");
            return errors;
        }
    }

    /** As javac prints it: {@code exercises/01-service-boundaries/boundaries/ShopPeers.java:42: error: ';' expected}, the line, a caret under the place. */
    private String describe(Diagnostic<? extends JavaFileObject> d) {
        String where = "";
        if (d.getSource() != null) {
            Path file = Path.of(d.getSource().toUri());
            try {
                file = displayRoot.relativize(file);
            } catch (IllegalArgumentException otherRoot) {
                // keep the absolute path
            }
            where = file + ":" + d.getLineNumber() + ": ";
        }
        String message = where + "error: " + d.getMessage(Locale.ENGLISH);
        if (d.getSource() != null && d.getLineNumber() > 0) {
            try {
                // new String, not readAllLines: a byte that is not UTF-8 becomes U+FFFD instead of an exception
                String line = new String(Files.readAllBytes(Path.of(d.getSource().toUri())), StandardCharsets.UTF_8).lines()
                    .skip(d.getLineNumber() - 1).findFirst().orElseThrow(IndexOutOfBoundsException::new);
                message += "\n" + line + "\n" + caretUnder(line, (int) d.getColumnNumber());
            } catch (IOException | IndexOutOfBoundsException ignored) {
                // the message alone is still useful
            }
        }
        return message;
    }

    /** Spaces up to the column (tabs kept, so the caret lines up in a terminal too), then the caret. */
    private static String caretUnder(String line, int column) {
        StringBuilder caret = new StringBuilder();
        for (int i = 0; i < column - 1 && i < line.length(); i++) caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
        return caret.append('^').toString();
    }

    private static List<String> testClassNames(Sources sources) throws IOException {
        List<String> names = new ArrayList<>();
        for (String file : sources.testFileNames()) names.add(className(file, Files.readString(sources.files().get(file))));
        return names;
    }

    /** The package a source file declares, or "" for the default package. */
    public static String packageOf(String source) {
        Matcher m = PACKAGE.matcher(source);
        return m.find() ? m.group(1) : "";
    }

    /** The qualified name of the top-level class in {@code fileName} ("TokenBucket.java" -> "ratelimit.TokenBucket"). */
    public static String className(String fileName, String source) {
        String simple = fileName.substring(0, fileName.length() - ".java".length());
        String pkg = packageOf(source);
        return pkg.isEmpty() ? simple : pkg + "." + simple;
    }

    private static List<String> testMethodOrder(Sources sources) throws IOException {
        List<String> names = new ArrayList<>();
        for (String file : sources.testFileNames()) {
            Matcher m = METHOD.matcher(Files.readString(sources.files().get(file)));
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    /**
     * Sorts things by the test method each names ({@code method}) as the tests are written ({@code order}, a
     * {@link Compiled#testOrder()}), so that reports follow the source; a method not in the list goes last.
     */
    public static <T> Comparator<T> inWrittenOrder(List<String> order, Function<T, String> method) {
        return Comparator.comparingInt(t -> {
            int at = order.indexOf(method.apply(t));
            return at < 0 ? Integer.MAX_VALUE : at;
        });
    }

    private static String contentKey(Sources sources) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(System.getProperty("java.class.path").getBytes(StandardCharsets.UTF_8));
            sha.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            for (var entry : sources.files().entrySet()) {
                sha.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(entry.getValue()));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
