package timeouts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("06 · The deadline: how much time is left")
class DeadlineTest {
    /** Orders' own limit for one checkout: a caller may ask for less, never for more. */
    static final Duration OWN_BUDGET = Duration.ofSeconds(2);

    final ManualClock clock = new ManualClock();

    @Test
    @Points(2)
    @DisplayName("A budget of 1000 ms has 1000 ms left at first, 650 ms after 350 ms, and none (not a negative amount) after 1200 ms")
    @Hint({"Read 'A deadline, not a timeout per call' in the lesson's README. Is a deadline an amount of time, or a moment?",
           "A deadline is a moment: when it was made, plus the budget. What is left is the distance from now to that moment, and never less than nothing.",
           "Last hint: Duration left = Duration.between(clock.instant(), expiry); return left.isNegative() ? Duration.ZERO : left;"})
    void remainingShrinksWithTheClock() {
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
        assertThat(deadline.remaining()).withFailMessage("a fresh deadline of 1000 ms should have 1000 ms left, but had %s", deadline.remaining())
            .isEqualTo(Duration.ofMillis(1000));

        clock.advanceMillis(350);
        assertThat(deadline.remaining()).withFailMessage("350 ms into a budget of 1000 ms, 650 ms should be left, but remaining() said %s", deadline.remaining())
            .isEqualTo(Duration.ofMillis(650));
        assertThat(deadline.expired()).withFailMessage("with 650 ms left the deadline has not expired, but expired() said it had").isFalse();

        clock.advanceMillis(850);
        assertThat(deadline.remaining()).withFailMessage("1200 ms into a budget of 1000 ms nothing is left: remaining() should be zero, not %s", deadline.remaining())
            .isEqualTo(Duration.ZERO);
        assertThat(deadline.expired()).withFailMessage("1200 ms into a budget of 1000 ms the deadline has expired, but expired() said it had not").isTrue();
    }

    @Test
    @Points(2)
    @DisplayName("Time comes from the clock the deadline was given, never from the system's: on a clock that reads 2001, 1000 ms are still 1000 ms")
    @Hint({"Where does your deadline get 'now' from? (End of 'A deadline, not a timeout per call' in the lesson's README.)",
           "Tests and the lesson give the deadline a clock of their own, so they can move time by hand. Anything that asks the machine for the time gets another answer.",
           "Last hint: use clock.instant() for now: never Instant.now(), System.currentTimeMillis() or System.nanoTime()."})
    void readsItsOwnClock() {
        ManualClock longAgo = new ManualClock(Instant.parse("2001-09-09T01:46:40Z"));
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), longAgo);
        longAgo.advanceMillis(400);

        assertThat(deadline.remaining()).withFailMessage("on a clock that reads 2001-09-09T01:46:40.400Z, a deadline of 1000 ms made 400 ms earlier has 600 ms left, "
                + "but remaining() said %s: is it reading the system clock (Instant.now(), System.currentTimeMillis()) instead of the clock it was given?", deadline.remaining())
            .isEqualTo(Duration.ofMillis(600));
    }

    @Test
    @DisplayName("The caller's X-Deadline-Ms sets the budget: \"800\" leaves 800 ms, \" 800 \" too")
    @Hint({"Read 'Passing the deadline on' in the lesson's README. What does the number in X-Deadline-Ms mean?",
           "The header holds the milliseconds the caller still has. Orders' deadline is that budget, starting now. Spaces around the number do not matter.",
           "Last hint: long ms = Long.parseLong(header.strip()); return Deadline.after(Duration.ofMillis(ms), clock);"})
    void callersBudget() {
        for (String header : new String[] {"800", " 800 "}) {
            Deadline deadline = Deadline.fromHeader(header, OWN_BUDGET, clock);
            assertThat(deadline.remaining()).withFailMessage("X-Deadline-Ms: \"%s\" should give a budget of 800 ms, but the deadline had %s left", header, deadline.remaining())
                .isEqualTo(Duration.ofMillis(800));
        }
    }

    @Test
    @Points(2)
    @DisplayName("A caller may ask for less time than orders' own budget, never for more: \"5000\" gives orders' 2000 ms")
    @Hint({"A caller asks for 5 s, and orders' own limit is 2 s. Which wins? (The 'Cap it' point of 'Passing the deadline on' in the lesson's README.)",
           "A caller may ask for less time than orders' own budget, never for more. The budget is the shorter of the two.",
           "Last hint: Deadline.after(Duration.ofMillis(Math.min(ms, ownBudget.toMillis())), clock)."})
    void cappedAtOwnBudget() {
        Deadline deadline = Deadline.fromHeader("5000", OWN_BUDGET, clock);

        assertThat(deadline.remaining()).withFailMessage("the caller asked for 5000 ms, but orders works at most 2000 ms on a checkout: the deadline should have 2000 ms left, not %s",
                deadline.remaining())
            .isEqualTo(OWN_BUDGET);
    }

    @Test
    @DisplayName("No header, or one that is not a whole number (\"soon\", \"\"), gives orders' own budget")
    @Hint({"Not every caller sends a deadline, and some send nonsense. Does orders still need one? ('Passing the deadline on' in the lesson's README.)",
           "No header, or a header that is not a whole number, gives orders its own budget.",
           "Last hint: if (header == null) return Deadline.after(ownBudget, clock); and the same from catch (NumberFormatException e) around Long.parseLong."})
    void ownBudgetWithoutAHeader() {
        for (String header : new String[] {null, "soon", ""}) {
            Deadline deadline = Deadline.fromHeader(header, OWN_BUDGET, clock);
            assertThat(deadline.remaining()).withFailMessage("X-Deadline-Ms: %s should give orders' own budget of 2000 ms, but the deadline had %s left",
                    header == null ? "(none)" : "\"" + header + "\"", deadline.remaining())
                .isEqualTo(OWN_BUDGET);
        }
    }

    @Test
    @Points(2)
    @DisplayName("A header of 0 or less means the caller's budget is spent: the deadline has expired at once")
    @Hint({"Is \"0\" a missing header? Read 'No time, no call' in the lesson's README.",
           "\"0\", or less, says the caller's time is already spent. The deadline has expired at once: not orders' own budget.",
           "Last hint: Deadline.after(Duration.ofMillis(ms), clock) with ms <= 0 is already in the past, and remaining() reports it as zero; do not fall back to ownBudget for it."})
    void spentBudget() {
        for (String header : new String[] {"0", "-40"}) {
            Deadline deadline = Deadline.fromHeader(header, OWN_BUDGET, clock);
            assertThat(deadline.expired()).withFailMessage("X-Deadline-Ms: \"%s\" means the caller has no time left: the deadline should have expired, but it had %s left",
                    header, deadline.remaining())
                .isTrue();
        }
    }

    @Test
    @Points(2)
    @DisplayName("The header passed on holds the whole milliseconds left, rounded down: with 649.6 ms left it says \"649\", never more than there is")
    @Hint({"The next service plans with the number you send. What if it is more than you have? ('Passing the deadline on' in the lesson's README.)",
           "Round down: never promise the next service time that does not exist. 649.6 ms left is 649, not 650.",
           "Last hint: Long.toString(remaining().toMillis()): toMillis() drops the fraction; Math.round or Math.ceil would send 650."})
    void headerRoundsDown() {
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
        clock.advance(Duration.ofNanos(350_400_000)); // 350.4 ms

        assertThat(deadline.headerValue()).withFailMessage("with 649.6 ms left, X-Deadline-Ms should say \"649\" (rounded down, so never more than is left), but it said \"%s\"",
                deadline.headerValue())
            .isEqualTo("649");
    }

    @Test
    @Points(3)
    @DisplayName("A deadline from the caller's \"1000\" passes on less once time is spent: \"700\" 300 ms later, \"0\" after the whole second")
    @Hint({"Is the header you send the header you got? ('Passing the deadline on' in the lesson's README.)",
           "The time spent here is gone for the next service too. Pass on what is left at the moment you send, not the number the caller sent.",
           "Last hint: headerValue() is computed from remaining() each time it is asked: return Long.toString(remaining().toMillis());"})
    void passesOnWhatIsLeft() {
        Deadline deadline = Deadline.fromHeader("1000", OWN_BUDGET, clock);
        clock.advanceMillis(300);
        assertThat(deadline.headerValue()).withFailMessage("the caller allowed 1000 ms and orders has spent 300: the next service should be told \"700\", but headerValue() said \"%s\"",
                deadline.headerValue())
            .isEqualTo("700");

        clock.advanceMillis(800);
        assertThat(deadline.headerValue()).withFailMessage("the caller allowed 1000 ms and 1100 have passed: nothing is left, \"0\", but headerValue() said \"%s\"",
                deadline.headerValue())
            .isEqualTo("0");
    }

    // ---- the rules at their edges ----

    @Test
    @Points(2)
    @DisplayName("A deadline expires at exactly its end: 1 ms left at 999 ms of 1000, none and expired at 1000 ms; a budget of \"1\" too")
    @Hint({"What is left at the very instant the deadline arrives? And is a deadline with 1 ms left already expired?",
           "remaining() is the distance from now to the deadline: zero from that instant on, never negative. expired() (given) is true exactly when nothing is left, so it depends on remaining() being right.",
           "Last hint: remaining() returns Duration.between(clock.instant(), expiry), or Duration.ZERO when that is negative; expired() is !remaining().isPositive(), so zero counts as expired."})
    void expiresExactlyAtTheEnd() {
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
        clock.advanceMillis(999);
        assertThat(deadline.remaining() + " " + deadline.expired() + " " + deadline.headerValue()).withFailMessage(
                "999 ms into a budget of 1000 ms, 1 ms is left: remaining() PT0.001S, expired() false, headerValue() \"1\"; but they were %s, %s, \"%s\"",
                deadline.remaining(), deadline.expired(), deadline.headerValue())
            .isEqualTo("PT0.001S false 1");
        assertThat(deadline).withFailMessage("toString() should say what is left, \"Deadline[1 ms left]\", but said %s", deadline).hasToString("Deadline[1 ms left]");

        clock.advanceMillis(1);
        assertThat(deadline.remaining() + " " + deadline.expired() + " " + deadline.headerValue()).withFailMessage(
                "at exactly 1000 ms of 1000 nothing is left: remaining() PT0S, expired() true, headerValue() \"0\"; but they were %s, %s, \"%s\"",
                deadline.remaining(), deadline.expired(), deadline.headerValue())
            .isEqualTo("PT0S true 0");

        Deadline tiny = Deadline.fromHeader("1", OWN_BUDGET, clock);
        assertThat(tiny.expired()).withFailMessage("X-Deadline-Ms: \"1\" leaves 1 ms: not expired yet, but expired() said it was").isFalse();
        clock.advanceMillis(1);
        assertThat(tiny.expired()).withFailMessage("1 ms after X-Deadline-Ms: \"1\" the budget is spent: expired() should be true, but was false (%s left)", tiny.remaining())
            .isTrue();
    }

    @Test
    @Points(2)
    @DisplayName("The cap at its edge: \"1999\" gives 1999 ms, \"2000\" and \"2001\" give orders' 2000, and with an own budget of 750 ms, \"800\" gives 750")
    @Hint({"A caller who asks for exactly orders' own budget: how much does it get? And is the cap always 2 s?",
           "The cap is the ownBudget you are given, whatever it is. Take the shorter of the two; at equal values, either one.",
           "Last hint: Duration asked = Duration.ofMillis(ms); return Deadline.after(asked.compareTo(ownBudget) < 0 ? asked : ownBudget, clock);"})
    void capAtItsEdge() {
        String[][] cases = {{"1999", "2000", "1999"}, {"2000", "2000", "2000"}, {"2001", "2000", "2000"}, {"800", "750", "750"}, {"749", "750", "749"}};
        for (String[] c : cases) {
            Deadline deadline = Deadline.fromHeader(c[0], Duration.ofMillis(Long.parseLong(c[1])), clock);
            assertThat(deadline.remaining()).withFailMessage("X-Deadline-Ms: \"%s\" with an own budget of %s ms should leave %s ms, but the deadline had %s",
                    c[0], c[1], c[2], deadline.remaining())
                .isEqualTo(Duration.ofMillis(Long.parseLong(c[2])));
        }
    }

    @Test
    @DisplayName("Only a whole number is a budget: \"12.5\", \"800ms\", \"1e3\" and a number too big for a long all give orders' own budget")
    @Hint({"Is \"12.5\" a budget? Is \"800ms\"? ('Passing the deadline on' in the lesson's README.)",
           "A header that does not parse as a whole number of milliseconds is no budget at all, whatever it looks like: orders uses its own.",
           "Last hint: try { ms = Long.parseLong(header.strip()); } catch (NumberFormatException e) { return Deadline.after(ownBudget, clock); }"})
    void wholeNumbersOnly() {
        for (String header : new String[] {"12.5", "800ms", "1e3", "99999999999999999999"}) {
            Deadline deadline = Deadline.fromHeader(header, OWN_BUDGET, clock);
            assertThat(deadline.remaining()).withFailMessage("X-Deadline-Ms: \"%s\" is not a whole number of milliseconds: the deadline should have orders' own 2000 ms, but had %s",
                    header, deadline.remaining())
                .isEqualTo(OWN_BUDGET);
        }
    }

    @Test
    @Points(2)
    @DisplayName("A deadline from the header reads the clock it is given too: on a clock that reads 2001, \"800\" has 500 ms left 300 ms later, and no header 1700")
    @Hint({"fromHeader makes a deadline too. Where does it get 'now' from?",
           "Every deadline starts from the clock it is given, a deadline from a header as much as one from after(...).",
           "Last hint: build every deadline with Deadline.after(budget, clock), never with Instant.now() or System.currentTimeMillis()."})
    void fromHeaderReadsItsClock() {
        ManualClock longAgo = new ManualClock(Instant.parse("2001-09-09T01:46:40Z"));
        Deadline asked = Deadline.fromHeader("800", OWN_BUDGET, longAgo);
        Deadline none = Deadline.fromHeader(null, OWN_BUDGET, longAgo);
        longAgo.advanceMillis(300);

        assertThat(asked.remaining()).withFailMessage("on the clock it was given, \"800\" made 300 ms ago has 500 ms left, but remaining() said %s: "
            + "does fromHeader read the system clock?", asked.remaining()).isEqualTo(Duration.ofMillis(500));
        assertThat(none.remaining()).withFailMessage("on the clock it was given, orders' own 2000 ms made 300 ms ago have 1700 ms left, but remaining() said %s",
            none.remaining()).isEqualTo(Duration.ofMillis(1700));
    }

    @Test
    @DisplayName("Rounding down, again: 999.999 ms left is \"999\", and 0.4 ms left is \"0\", though the deadline has not quite expired")
    @Hint({"Rounding down: does that drop 0.999 of a millisecond too?",
           "The header is remaining() in whole milliseconds, the fraction dropped, whatever it is. 0.4 ms left is \"0\", though the deadline has not quite expired.",
           "Last hint: return Long.toString(remaining().toMillis()); never Math.round, never Math.ceil."})
    void headerRoundsDownAgain() {
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
        clock.advance(Duration.ofNanos(1_000));
        assertThat(deadline.headerValue()).withFailMessage("with 999.999 ms left the header should say \"999\", but said \"%s\"", deadline.headerValue()).isEqualTo("999");

        clock.advance(Duration.ofNanos(999_599_000)); // 0.4 ms left
        assertThat(deadline.headerValue()).withFailMessage("with 0.4 ms left the header should say \"0\" (rounded down), but said \"%s\"", deadline.headerValue()).isEqualTo("0");
        assertThat(deadline.expired()).withFailMessage("with 0.4 ms left the deadline has not expired yet, but expired() said it had").isFalse();
    }
}
