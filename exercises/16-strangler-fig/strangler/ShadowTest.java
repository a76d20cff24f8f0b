package strangler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("16 · The shadow's comparison: what makes two answers the same")
class ShadowTest {
    @Test
    @Points(2)
    @DisplayName("Answers that differ only in the order of their JSON keys and in spacing are the Same; another status or another value is Different")
    @Hint({"Read 'Shadow traffic' in the lesson's README. Are two JSON bodies with the keys in another order the same answer?",
           "Compare what the answers mean, not their bytes. Two JSON documents with the same keys and values say the same thing, however they are written; another status or another value is Different.",
           "Last hint: compare the statuses first; then new ObjectMapper().readTree(bytes) for both bodies, and the trees' equals."})
    void comparesMeaning() {
        Reply fromLegacy = reply("legacy", 200, "{\"sku\": \"KB-42\", \"price\": \"49.99\", \"tags\": [\"ergonomic\", \"wireless\"]}");
        Reply reordered = reply("catalog", 200, "{\"tags\":[\"ergonomic\",\"wireless\"],\"price\":\"49.99\",\"sku\":\"KB-42\"}");
        Reply otherPrice = reply("catalog", 200, "{\"sku\": \"KB-42\", \"price\": \"44.99\", \"tags\": [\"ergonomic\", \"wireless\"]}");
        Reply notFound = reply("catalog", 404, "{\"sku\": \"KB-42\", \"price\": \"49.99\", \"tags\": [\"ergonomic\", \"wireless\"]}");

        var same = Expect.returns(() -> Shadow.compare(fromLegacy, reordered), "Shadow.compare should compare two answers");
        assertThat(same).withFailMessage("the same keys and values in another order and spacing are the same answer; compare said %s", same)
            .isInstanceOf(Comparison.Same.class);
        var price = Shadow.compare(fromLegacy, otherPrice);
        assertThat(price).withFailMessage("a price of \"44.99\" instead of \"49.99\" is a difference; compare said %s", price).isInstanceOf(Comparison.Different.class);
        var status = Shadow.compare(fromLegacy, notFound);
        assertThat(status).withFailMessage("404 instead of 200 is a difference, whatever the body; compare said %s", status).isInstanceOf(Comparison.Different.class);
        var text = Shadow.compare(reply("legacy", 200, "OK"), reply("catalog", 200, "ok"));
        assertThat(text).withFailMessage("bodies that are not JSON are compared as they are: \"OK\" and \"ok\" differ; compare said %s", text)
            .isInstanceOf(Comparison.Different.class);
    }

    @Test
    @Points(2)
    @DisplayName("compare looks at the status and the body only: headers never count, bodies that are not JSON must be the very same bytes, and JSON arrays keep their order")
    @Hint({"Do two servers ever send the same headers? Does an array's order say something?",
           "Only the status and what the body says count. Headers never do. JSON arrays keep their order; bodies that are not JSON must be the very same bytes.",
           "Last hint: same = both JSON ? legacyTree.equals(candidateTree) : Arrays.equals(legacy.body(), candidate.body()); ignore headers() and servedBy()."})
    void comparesStatusAndBodyOnly() {
        Reply text = new Reply("legacy", 200, Map.of("Content-Type", List.of("text/plain"), "X-Legacy-Build", List.of("2009.4")), "OK".getBytes(StandardCharsets.UTF_8));
        Reply sameText = new Reply("catalog", 200, Map.of("Content-Type", List.of("text/plain; charset=utf-8")), "OK".getBytes(StandardCharsets.UTF_8));
        Reply json = new Reply("legacy", 200, Map.of("Date", List.of("Mon, 05 Jan 2026 09:00:00 GMT")), "{\"sku\": \"KB-42\"}".getBytes(StandardCharsets.UTF_8));
        Reply sameJson = new Reply("catalog", 200, Map.of("Date", List.of("Mon, 05 Jan 2026 09:00:01 GMT")), "{\"sku\":\"KB-42\"}".getBytes(StandardCharsets.UTF_8));
        Reply empty = new Reply("legacy", 204, Map.of(), new byte[0]);
        Reply alsoEmpty = new Reply("catalog", 204, Map.of("X-Debug", List.of("none")), new byte[0]);

        for (var pair : List.of(List.of(text, sameText), List.of(json, sameJson), List.of(empty, alsoEmpty))) {
            var found = Expect.returns(() -> Shadow.compare(pair.get(0), pair.get(1)), "Shadow.compare should compare two answers");
            assertThat(found).withFailMessage("%s and %s have the same status and body, and only their headers differ: compare should say Same, but said %s",
                pair.get(0), pair.get(1), found).isInstanceOf(Comparison.Same.class);
        }
        for (var pair : List.of(List.of(reply("legacy", 200, "OK"), reply("catalog", 200, "OK ")),
                List.of(reply("legacy", 200, "[\"ergonomic\", \"wireless\"]"), reply("catalog", 200, "[\"wireless\", \"ergonomic\"]")),
                List.of(reply("legacy", 200, "{\"sku\": \"KB-42\"}"), reply("catalog", 200, "{\"sku\": \"KB-42\", \"stock\": null}")),
                List.of(reply("legacy", 200, "{}"), reply("catalog", 200, "")),
                List.of(reply("legacy", 200, "OK"), reply("catalog", 200, "{\"status\": \"OK\"}")))) {
            var found = Shadow.compare(pair.get(0), pair.get(1));
            assertThat(found).withFailMessage("the bodies %s and %s do not say the same (bytes that differ, an array in another order, a key more, nothing, JSON against text): "
                + "compare should say Different, but said %s", pair.get(0).bodyText(), pair.get(1).bodyText(), found).isInstanceOf(Comparison.Different.class);
        }
    }

    // ---- helpers ----

    private static Reply reply(String servedBy, int status, String body) {
        return new Reply(servedBy, status, Map.of("Content-Type", List.of("application/json")), body.getBytes(StandardCharsets.UTF_8));
    }
}
