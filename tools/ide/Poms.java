package ide;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import kit.Course;

/** The text of each pom of the IDE build (see {@link MavenBuild}). */
final class Poms {
    private static final String HEADER = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Written by ./jbang workbook ide from %s; verify fails when this file differs. Do not edit: change the source. -->
        <project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                 xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
          <modelVersion>4.0.0</modelVersion>
        """;

    private static String parent(String relativePath) {
        return """
              <parent>
                <groupId>%s</groupId>
                <artifactId>workbook</artifactId>
                <version>1</version>
                <relativePath>%s</relativePath>
              </parent>
            """.formatted(MavenBuild.GROUP, relativePath);
    }

    private Poms() {}

    /**
     * The aggregator and parent: every library version (from Deps.java), the build plugins, Java 21, and the
     * tests' reporting by display name, as workbook check shows them.
     */
    static String root(List<MavenBuild.Dependency> deps, List<String> modules, List<String> testJvmOptions, Map<String, String> plugins) {
        String managed = deps.stream().filter(d -> d.bom() || d.version() != null).map(d -> d.bom() ? """
                  <dependency>
                    <groupId>%s</groupId>
                    <artifactId>%s</artifactId>
                    <version>%s</version>
                    <type>pom</type>
                    <scope>import</scope>
                  </dependency>
            """.formatted(d.group(), d.artifact(), d.version()) : """
                  <dependency>
                    <groupId>%s</groupId>
                    <artifactId>%s</artifactId>
                    <version>%s</version>
                  </dependency>
            """.formatted(d.group(), d.artifact(), d.version())).collect(Collectors.joining());
        String moduleList = modules.stream().map(m -> "    <module>" + m + "</module>\n").collect(Collectors.joining());
        return HEADER.formatted("kit/src/kit/Deps.java, the lessons and the exercises") + """
              <groupId>%s</groupId>
              <artifactId>workbook</artifactId>
              <version>1</version>
              <packaging>pom</packaging>
              <name>Microservices Patterns Workbook</name>

              <properties>
                <maven.compiler.release>21</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                <!-- What workbook check's JVM runs with (tools/Workbook.java's //JAVA_OPTIONS that matter); IntelliJ passes it to its test runs too. -->
                <argLine>%s</argLine>
              </properties>

              <modules>
            %s  </modules>

              <dependencyManagement>
                <dependencies>
            %s    </dependencies>
              </dependencyManagement>

              <build>
                <pluginManagement>
                  <plugins>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId>
                      <artifactId>maven-compiler-plugin</artifactId>
                      <version>%s</version>
                      <configuration>
                        <compilerArgs><arg>-parameters</arg></compilerArgs>
                      </configuration>
                    </plugin>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId>
                      <artifactId>maven-surefire-plugin</artifactId>
                      <version>%s</version>
                      <configuration>
                        <!-- Tests are reported by their @DisplayName, as workbook check reports them. -->
                        <statelessTestsetReporter implementation="org.apache.maven.plugin.surefire.extensions.junit5.JUnit5Xml30StatelessReporter">
                          <usePhrasedTestSuiteClassName>true</usePhrasedTestSuiteClassName>
                          <usePhrasedTestCaseClassName>true</usePhrasedTestCaseClassName>
                          <usePhrasedTestCaseMethodName>true</usePhrasedTestCaseMethodName>
                        </statelessTestsetReporter>
                        <consoleOutputReporter implementation="org.apache.maven.plugin.surefire.extensions.junit5.JUnit5ConsoleOutputReporter">
                          <usePhrasedFileName>true</usePhrasedFileName>
                        </consoleOutputReporter>
                        <statelessTestsetInfoReporter implementation="org.apache.maven.plugin.surefire.extensions.junit5.JUnit5StatelessTestsetInfoReporter">
                          <usePhrasedClassNameInRunning>true</usePhrasedClassNameInRunning>
                          <usePhrasedClassNameInTestCaseSummary>true</usePhrasedClassNameInTestCaseSummary>
                        </statelessTestsetInfoReporter>
                        <trimStackTrace>true</trimStackTrace>
                      </configuration>
                    </plugin>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId>
                      <artifactId>maven-resources-plugin</artifactId>
                      <version>%s</version>
                    </plugin>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId>
                      <artifactId>maven-clean-plugin</artifactId>
                      <version>%s</version>
                    </plugin>
                  </plugins>
                </pluginManagement>
              </build>
            </project>
            """.formatted(MavenBuild.GROUP, String.join(" ", testJvmOptions), moduleList, managed,
                plugins.get("compiler"), plugins.get("surefire"), plugins.get("resources"), plugins.get("clean"));
    }

    /** The kit, with every library of Deps.java: lessons and exercises get the class path JBang gives them. */
    static String kit(List<MavenBuild.Dependency> deps) {
        String libraries = deps.stream().filter(d -> !d.bom()).map(d -> """
                <dependency>
                  <groupId>%s</groupId>
                  <artifactId>%s</artifactId>
                </dependency>
            """.formatted(d.group(), d.artifact())).collect(Collectors.joining());
        return HEADER.formatted("kit/src/kit/Deps.java") + parent("../../pom.xml") + """
              <artifactId>kit</artifactId>
              <name>kit</name>

              <dependencies>
            %s  </dependencies>

              <build>
                <sourceDirectory>../../kit/src</sourceDirectory>
                <testSourceDirectory>../../kit/test</testSourceDirectory>
              </build>
            </project>
            """.formatted(libraries);
    }

    /** A lesson: Lesson.java in the default package, its folder the source root; run it with the .run/ and .vscode/ configurations. */
    static String lesson(Course.Lesson lesson) {
        return onKit("lesson-" + lesson.id(), "Lesson " + lesson.number2() + " · " + lesson.title(), """
                <sourceDirectory>../../../lessons/%s</sourceDirectory>
            """.formatted(lesson.id()));
    }

    /**
     * An exercise: the stub and its tests in one test source root (exercises/ID, holding the package folder), so
     * that the IDEs' test runners find the tests (VS Code looks only in test source roots) and the learner edits
     * the very files workbook check compiles. Solutions are in no module: go-to-definition never lands in one.
     */
    static String exercise(Course.Lesson lesson) {
        return onKit("exercise-" + lesson.id(), "Exercise " + lesson.number2() + " · " + lesson.title(), """
                <testSourceDirectory>../../../exercises/%s</testSourceDirectory>
                <testResources>
                  <testResource>
                    <directory>../../test-resources</directory>
                  </testResource>
                </testResources>
            """.formatted(lesson.id()));
    }

    /** A module under ide/lessons or ide/exercises that uses the kit (and with it every library), built as {@code build} says. */
    private static String onKit(String artifactId, String name, String build) {
        return HEADER.formatted("the lessons' list in kit/src/kit/Course.java") + parent("../../../pom.xml") + """
              <artifactId>%s</artifactId>
              <name>%s</name>

              <dependencies>
                <dependency>
                  <groupId>%s</groupId>
                  <artifactId>kit</artifactId>
                  <version>1</version>
                </dependency>
              </dependencies>

              <build>
            %s  </build>
            </project>
            """.formatted(artifactId, name, MavenBuild.GROUP, build);
    }
}
