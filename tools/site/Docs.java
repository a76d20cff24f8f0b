package site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.AttributesBuilder;
import org.asciidoctor.Options;
import org.asciidoctor.OptionsBuilder;
import org.asciidoctor.SafeMode;
import org.asciidoctor.ast.Document;
import org.asciidoctor.log.LogRecord;
import org.asciidoctor.log.Severity;

/**
 * AsciidoctorJ, set up once for the whole site: Rouge highlights code on the server (it ships inside AsciidoctorJ, so
 * nothing is fetched and the pages need no script for it), our diagram blocks and the transcript macro are
 * registered, and every warning Asciidoctor logs is kept so that the build can fail on it.
 */
final class Docs {
    /** A converted document: its title (null when it has none) and its body as HTML. */
    record Converted(String title, String html) {}

    /** AsciidoctorJ also logs through java.util.logging; we report its warnings ourselves, once. */
    private static final Logger JUL = Logger.getLogger("asciidoctor");

    private final Asciidoctor asciidoctor;
    private final Path root;
    private final List<String> warnings = new ArrayList<>();

    Docs(Path root) {
        this.root = root;
        JUL.setUseParentHandlers(false);
        this.asciidoctor = Asciidoctor.Factory.create();
        asciidoctor.registerLogHandler(this::log);
        var registry = asciidoctor.javaExtensionRegistry();
        registry.block(new Diagrams.SequenceBlock());
        registry.block(new Diagrams.StatesBlock());
        registry.blockMacro(new TranscriptMacro());
        registry.treeprocessor(new SourceCaptions(root));
    }

    private synchronized void log(LogRecord record) {
        if (record.getSeverity().ordinal() < Severity.WARN.ordinal()) return;
        var cursor = record.getCursor();
        String where = cursor == null || cursor.getFile() == null ? "" : root.relativize(Path.of(cursor.getFile()).toAbsolutePath()) + ":" + cursor.getLineNumber() + ": ";
        warnings.add(where + record.getSeverity().name().toLowerCase() + ": " + record.getMessage());
    }

    synchronized List<String> warnings() { return List.copyOf(warnings); }

    /** Converts a file; includes resolve next to it. {@code extra} attributes override the document's own. */
    Converted file(Path file, Map<String, Object> extra) {
        try {
            String text = Files.readString(file);
            if (text.contains("include::") && text.matches("(?s).*include::[^\\[]*solutions/.*"))
                throw new BuildFailed(root.relativize(file) + " includes a file from solutions/: the site never shows a solution");
            Options options = options(file.getParent(), extra).build();
            options.setSourcemap(true);
            // Loading from the file (not a string) lets warnings name it and its lines.
            Document doc = asciidoctor.loadFile(file.toFile(), options);
            return new Converted(doc.getDoctitle(), doc.convert());
        } catch (IOException e) {
            throw new BuildFailed("cannot read " + file + ": " + e.getMessage());
        }
    }

    private OptionsBuilder options(Path baseDir, Map<String, Object> extra) {
        AttributesBuilder attributes = Attributes.builder()
            .attribute("source-highlighter", "rouge")   // the lessons ask for it too; set here, it always wins
            .attribute("rouge-css", "class")            // classes, coloured by our stylesheet, light and dark
            .attribute("sectanchors", "")
            .attribute("toc", null)                     // the page layout shows its own "On this page"
            .attribute("icons", null)
            .attribute("outfilesuffix", ".html");
        extra.forEach(attributes::attribute);
        return Options.builder()
            .safe(SafeMode.UNSAFE)   // our own sources, and includes such as include::Lesson.java[tag=...] must resolve
            .baseDir(baseDir.toFile())
            .standalone(false)
            .toFile(false)
            .attributes(attributes.build());
    }
}
