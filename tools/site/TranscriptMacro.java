package site;

import java.util.Map;
import org.asciidoctor.ast.StructuralNode;
import org.asciidoctor.extension.BlockMacroProcessor;
import org.asciidoctor.extension.Name;

/**
 * {@code transcript::[]} in a lesson's README.adoc places the output of the lesson's real run there;
 * {@code transcript::[step=3]} places only what step 3 printed. A page whose text places no full transcript reads
 * its run step by step in its "What you will see" section instead (see RunSteps).
 */
@Name("transcript")
public final class TranscriptMacro extends BlockMacroProcessor {
    static final String MARK = "<!--transcript:%s-->";

    @Override
    public StructuralNode process(StructuralNode parent, String target, Map<String, Object> attributes) {
        Object step = attributes.get("step");
        String which = step == null ? "all" : step.toString().trim();
        if (!which.matches("all|\\d+")) {
            throw new IllegalArgumentException("transcript::[step=" + which + "]: step must be a number");
        }
        return createBlock(parent, "pass", MARK.formatted(which));
    }
}
