package site;

import java.nio.file.Path;
import java.util.Map;
import org.asciidoctor.ast.Block;
import org.asciidoctor.ast.Cursor;
import org.asciidoctor.ast.Document;
import org.asciidoctor.ast.StructuralNode;
import org.asciidoctor.extension.Treeprocessor;

/**
 * Gives every code block that includes a source file the file as its caption, "lessons/08-circuit-breaker/Lesson.java
 * · lines 336–352", so a reader knows where the code lives. Asciidoctor's source map says where a block's lines came
 * from: for a block filled by an include, that is the included file and its line.
 */
final class SourceCaptions extends Treeprocessor {
    private final Path root;

    SourceCaptions(Path root) { this.root = root.toAbsolutePath().normalize(); }

    @Override
    public Document process(Document document) {
        Object docfile = document.getAttribute("docfile");
        for (StructuralNode node : document.findBy(Map.<Object, Object>of("context", ":listing"))) {
            Cursor at = node.getSourceLocation();
            if (at == null || at.getFile() == null || at.getFile().equals(docfile) || !(node instanceof Block block)) continue;
            Path file = Path.of(at.getFile()).toAbsolutePath().normalize();
            int last = at.getLineNumber() + block.getLines().size() - 1;
            String caption = "`" + root.relativize(file).toString().replace('\\', '/') + "` · lines " + at.getLineNumber() + "–" + last;
            block.setTitle(block.getTitle() == null ? caption : block.getTitle() + " · " + caption);
            block.addRole("from-file");
        }
        return document;
    }
}
