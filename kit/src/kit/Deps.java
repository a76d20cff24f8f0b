// The one place where the course's dependency versions live.
// Every lesson, exercise, test and tool pulls this file in (with //SOURCES), so JBang resolves the
// same versions everywhere. To upgrade a library, change its line here and nowhere else.
//
// Javalin 7 runs on Jetty 12 and WireMock 3 on Jetty 11: the standalone WireMock jar shades its Jetty
// (and its Jackson), so both servers live on one classpath without a conflict.

//DEPS org.junit:junit-bom:6.1.3@pom
//DEPS io.javalin:javalin:7.2.3
//DEPS org.slf4j:slf4j-simple:2.0.18
//DEPS org.wiremock:wiremock-standalone:3.13.2
//DEPS com.fasterxml.jackson.core:jackson-databind:2.22.1
//DEPS info.picocli:picocli:4.7.7
//DEPS org.junit.jupiter:junit-jupiter
//DEPS org.junit.platform:junit-platform-launcher
//DEPS org.assertj:assertj-core:3.27.7
//DEPS com.bucket4j:bucket4j_jdk17-core:8.17.0
//DEPS io.github.java-diff-utils:java-diff-utils:4.18
//DEPS io.github.resilience4j:resilience4j-circuitbreaker:2.4.0
//DEPS io.github.resilience4j:resilience4j-bulkhead:2.4.0
//DEPS io.github.resilience4j:resilience4j-retry:2.4.0
//DEPS org.asciidoctor:asciidoctorj:3.0.1
//DEPS com.github.spullara.mustache.java:compiler:0.9.14
// The site's HTML passes (a lesson's run placed by steps, "lesson 06" made a link) work on a parsed page, not on regexes.
//DEPS org.jsoup:jsoup:1.17.1
//DEPS org.apache.artemis:artemis-bom:2.56.0@pom
//DEPS org.apache.artemis:artemis-jakarta-server
//DEPS org.apache.artemis:artemis-jakarta-client
//DEPS com.h2database:h2:2.5.252
// Mutation testing of the reference solutions (./jbang verify --mutation): PIT and its JUnit 5 plugin.
//DEPS org.pitest:pitest-command-line:1.30.2
//DEPS org.pitest:pitest-junit5-plugin:1.2.3

package kit;

/** Holds no code: its //DEPS lines above are what every script shares. */
final class Deps {
    private Deps() {}
}
