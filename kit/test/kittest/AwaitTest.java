package kittest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import kit.Await;
import kit.Hint;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("kit · waiting for a state with a deadline")
class AwaitTest {
    @Test
    @DisplayName("Await.until returns as soon as the state holds, long before its deadline")
    @Hint("kit/src/kit/Await.java")
    void returnsWhenTheStateHolds() throws InterruptedException {
        var polls = new AtomicInteger();
        assertThat(Await.until(() -> polls.incrementAndGet() == 3, Duration.ofHours(1))).isTrue();
        assertThat(polls).hasValue(3);
    }

    @Test
    @DisplayName("Await.until says false once its deadline has passed and the state never came")
    @Hint("kit/src/kit/Await.java")
    void saysWhenTheDeadlinePassed() throws InterruptedException {
        assertThat(Await.until(() -> false, Duration.ZERO)).isFalse();
    }
}
