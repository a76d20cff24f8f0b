package kittest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import kit.Course;
import kit.Hint;
import kit.ManualClock;
import kit.RecordingSleeper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("kit · clocks, sleepers and the course map")
class ManualClockTest {
    @Test
    @DisplayName("A manual clock stands still until advanced")
    @Hint("kit/src/kit/ManualClock.java")
    void standsStill() {
        var clock = new ManualClock();
        var before = clock.instant();
        assertThat(clock.instant()).isEqualTo(before);
        clock.advance(Duration.ofMillis(1500));
        assertThat(clock.instant()).isEqualTo(before.plusMillis(1500));
        assertThat(clock.millis()).isEqualTo(before.toEpochMilli() + 1500);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    @DisplayName("Time never goes backwards")
    @Hint("kit/src/kit/ManualClock.java")
    void noTimeTravel() {
        assertThatThrownBy(() -> new ManualClock().advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("A recording sleeper returns at once, notes each sleep and moves the clock")
    @Hint("kit/src/kit/RecordingSleeper.java")
    void recordingSleeper() {
        var clock = new ManualClock();
        var sleeper = new RecordingSleeper(clock);
        sleeper.sleep(Duration.ofMillis(100));
        sleeper.sleep(Duration.ofMillis(250));
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(250));
        assertThat(sleeper.total()).isEqualTo(Duration.ofMillis(350));
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(350));
    }

    @Test
    @DisplayName("A lesson answers to its number, its slug and its id")
    @Hint("kit/src/kit/Course.java")
    void lessonIds() {
        assertThat(Course.find("08").orElseThrow().id()).isEqualTo("08-circuit-breaker");
        assertThat(Course.find("8").orElseThrow().slug()).isEqualTo("circuit-breaker");
        assertThat(Course.find("circuit-breaker").orElseThrow().number()).isEqualTo(8);
        assertThat(Course.find("08-circuit-breaker")).isPresent();
        assertThat(Course.find("99")).isEmpty();
        assertThat(Course.find("circuit")).isEmpty();
        for (int i = 0; i < Course.LESSONS.size(); i++) assertThat(Course.LESSONS.get(i).number()).isEqualTo(i + 1);
    }

    @Test
    @DisplayName("A lesson's folders are lessons/ID, exercises/ID and solutions/ID under the root it is given")
    @Hint("kit/src/kit/Course.java")
    void lessonFolders() {
        Course.Lesson lesson = Course.find("08").orElseThrow();
        Path root = Path.of("course");
        assertThat(lesson.lessonDir(root)).isEqualTo(Path.of("course", "lessons", "08-circuit-breaker"));
        assertThat(lesson.exerciseDir(root)).isEqualTo(Path.of("course", "exercises", "08-circuit-breaker"));
        assertThat(lesson.solutionDir(root)).isEqualTo(Path.of("course", "solutions", "08-circuit-breaker"));
    }
}
