package verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import kit.Course;

/**
 * jbang-catalog.json: every alias points at a script that exists, and the catalog, README.adoc's course table and
 * each lesson's README name each lesson as kit/src/kit/Course.java does.
 */
record CatalogCheck(Path root, Recorder recorder) {
    void check(List<Course.Lesson> lessons) {
        JsonNode aliases;
        try {
            aliases = new ObjectMapper().readTree(root.resolve("jbang-catalog.json").toFile()).path("aliases");
        } catch (IOException e) {
            recorder.record(false, "catalog: jbang-catalog.json is valid JSON", e.getMessage());
            return;
        }
        List<String> expected = new ArrayList<>(List.of("workbook", "verify", "site"));
        lessons.stream().filter(l -> l.written(root)).forEach(l -> expected.add(l.slug()));
        for (String alias : expected) {
            JsonNode ref = aliases.path(alias).path("script-ref");
            boolean ok = ref.isTextual() && Files.isRegularFile(root.resolve(ref.asText()));
            recorder.record(ok, "catalog: alias '" + alias + "' points at a script that exists", ok ? ref.asText() : "missing or broken: " + aliases.path(alias));
        }
        namedAsTheCourseNamesThem(lessons, aliases);
    }

    /**
     * kit/src/kit/Course.java names each lesson (number, title, pattern, level); jbang-catalog.json's descriptions and the
     * course table in README.adoc say the same words, so that they cannot drift apart unseen.
     */
    private void namedAsTheCourseNamesThem(List<Course.Lesson> lessons, JsonNode aliases) {
        String readme;
        try {
            readme = Files.readString(root.resolve("README.adoc")).replace("\r\n", "\n");
        } catch (IOException e) {
            recorder.record(false, "README.adoc is readable", e.getMessage());
            return;
        }
        List<String> differ = new ArrayList<>();
        for (Course.Lesson l : lessons) {
            String description = "Lesson %s · %s · %s".formatted(l.number2(), l.pattern(), l.title());
            String said = aliases.path(l.slug()).path("description").asText();
            if (!said.equals(description)) differ.add("jbang-catalog.json's " + l.slug() + " says \"" + said + "\", not \"" + description + "\"");
            String row = "| %s | `%s` | %s | %d".formatted(l.number2(), l.slug(), l.title(), l.level());
            if (!readme.lines().anyMatch(row::equals)) differ.add("README.adoc's course table has no row \"" + row + "\"");
            String byline = "%s · level %d · run it with `./jbang %s`".formatted(l.part().title, l.level(), l.slug());
            if (!lessonReadme(l).contains(byline)) differ.add("lessons/" + l.id() + "/README.adoc does not say \"" + byline + "\"");
        }
        recorder.record(differ.isEmpty(), "catalog: jbang-catalog.json, README.adoc's course table and each lesson's README name each lesson as kit/src/kit/Course.java does",
            differ.isEmpty() ? lessons.size() + " lessons" : String.join("\n", differ));
    }

    private String lessonReadme(Course.Lesson lesson) {
        try {
            return Files.readString(lesson.lessonDir(root).resolve("README.adoc")).replace("\r\n", "\n");
        } catch (IOException e) {
            return "";
        }
    }
}
