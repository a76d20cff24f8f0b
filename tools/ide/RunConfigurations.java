package ide;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import kit.Course;

/**
 * A run configuration per lesson, so that a lesson runs from the IDE as {@code ./jbang <alias>} runs it: its main
 * class, from the course's folder, with the JVM options of its //JAVA_OPTIONS line that matter (lesson 10's
 * -Dsun.misc.unsafe.memory.access=allow). IntelliJ IDEA reads .run/*.run.xml, VS Code .vscode/launch.json. A lesson
 * run from the gutter instead gets no JVM options: it still runs, lesson 10 with the JDK's warning about Unsafe.
 */
final class RunConfigurations {
    private RunConfigurations() {}

    static String name(Course.Lesson lesson) { return "lesson-" + lesson.id(); }

    private static String title(Course.Lesson lesson) { return "Lesson " + lesson.number2() + " · " + lesson.pattern(); }

    static String intellij(Course.Lesson lesson, List<String> jvmOptions) {
        return """
            <component name="ProjectRunConfigurationManager">
              <configuration default="false" name="%s" type="Application" factoryName="Application">
                <option name="MAIN_CLASS_NAME" value="Lesson" />
                <module name="%s" />
                <option name="VM_PARAMETERS" value="%s" />
                <option name="WORKING_DIRECTORY" value="$PROJECT_DIR$" />
                <method v="2">
                  <option name="Make" enabled="true" />
                </method>
              </configuration>
            </component>
            """.formatted(title(lesson), name(lesson), String.join(" ", jvmOptions));
    }

    static String vscode(Map<Course.Lesson, List<String>> lessons) {
        String configurations = lessons.entrySet().stream().map(e -> """
                {
                  "type": "java",
                  "name": "%s",
                  "request": "launch",
                  "mainClass": "Lesson",
                  "projectName": "%s",
                  "vmArgs": "%s",
                  "cwd": "${workspaceFolder}",
                  "console": "integratedTerminal"
                }""".formatted(title(e.getKey()), name(e.getKey()), String.join(" ", e.getValue())).indent(4).stripTrailing())
            .collect(Collectors.joining(",\n"));
        return """
            {
              "//": "Written by ./jbang workbook ide from the lessons' Lesson.java; verify fails when this file differs.",
              "version": "0.2.0",
              "configurations": [
            %s
              ]
            }
            """.formatted(configurations);
    }
}
