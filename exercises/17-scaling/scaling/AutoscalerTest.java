package scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("17 · An autoscaler that scales what is hot")
class AutoscalerTest {
    // The shop's policies (ScalingPolicy): payments 2 to 10 replicas, +2 per scale-out, a cooldown of 3 ticks,
    // watermarks 2 and 10 queued per replica, 500 and 2000 ms; catalog 3 to 6 replicas, +1, 3 ticks, 2 and 10, 120 and 300 ms.
    private final Autoscaler autoscaler = new Autoscaler(Simulation.flashSalePolicies());

    // ---- the flash sale, tick by tick (ticks of 10 s; tick 6 is 12:00:00, when the drop opens) ----

    @Test
    @Points(3)
    @DisplayName("The flash sale scales payments out at ticks 6, 9, 12 and 15: at the drop, then every cooldown until its max")
    @Hint({"Run the simulation in your head: at tick 6 payments has 400 checkouts queued for 2 replicas. It is hot, so +2. What may happen at ticks 7 and 8? ('Flapping, and the two cures' in the lesson's README.)",
           "A hot pool scales out by its step. After any action the service gets a cooldown: the new replicas need time to show in the metrics. It acts again only when the cooldown is over, and only if it is still hot.",
           "Last hint: ScaleOut at tick t; the next action for that service comes at tick - last >= policy.cooldownTicks() at the earliest, so at ticks 6, 9, 12 and 15 with a cooldown of 3."})
    void flashSaleScalesOut() {
        var history = flashSale();
        assertThat(history.scaleOutTicks("payments")).withFailMessage(
            "payments should scale out at ticks [6, 9, 12, 15] (hot from 12:00, one action per cooldown of 3 ticks, +2 each from 2 to its max of 10), but scaled out at %s; its replicas tick by tick: %s",
            history.scaleOutTicks("payments"), history.replicas("payments")).containsExactly(6, 9, 12, 15);
        assertThat(history.replicas("payments").get(16)).withFailMessage("from tick 16 on, payments should run its max of 10 replicas, but had %s",
            history.replicas("payments").get(16)).isEqualTo(10);
    }

    @Test
    @Points(2)
    @DisplayName("Once the queue has drained, payments scales in one replica per cooldown, at ticks 22 to 43, back to its 2")
    @Hint({"Read 'Scale out fast, in slowly' in the lesson's README. By how much does a cool pool shrink at a time?",
           "Scale out in big steps, scale in one replica at a time: too few replicas cost customers now, too many cost a little money. Only when both signals are cool, never below the min, and then wait for the cooldown.",
           "Last hint: when cool and replicas > policy.minReplicas(): new Decision.ScaleIn(service, replicas, replicas - 1, why), not replicas - scaleOutStep."})
    void flashSaleScalesIn() {
        var history = flashSale();
        assertThat(history.scaleInTicks("payments")).withFailMessage(
            "payments should scale in at ticks [22, 25, 28, 31, 34, 37, 40, 43] (one replica per cooldown of 3 ticks, from 10 down to its min of 2), but scaled in at %s; its replicas tick by tick: %s",
            history.scaleInTicks("payments"), history.replicas("payments")).containsExactly(22, 25, 28, 31, 34, 37, 40, 43);
        assertThat(history.replicas("payments").subList(44, 60)).withFailMessage("after tick 43 payments should stay at its min of 2 replicas, but had %s",
            history.replicas("payments").subList(44, 60)).containsOnly(2);
    }

    @Test
    @Points(3)
    @DisplayName("Only the hot service scales: catalog keeps its 3 replicas through the whole flash sale")
    @Hint({"Catalog is busy at 12:00, but its queue stays empty and its pages take 80 ms. Is that hot? ('Scale what is hot, and only that' in the lesson's README.)",
           "Each service is judged on its own metrics, against its own policy. Busy is not hot: only a signal above its high watermark is.",
           "Last hint: for each pool, policyOf(pool.service()), and hot = that policy's queuePerReplica().above(pool.queuePerReplica()) || its latencyMillis().above(pool.latencyMillis())."})
    void onlyTheHotServiceScales() {
        var history = flashSale();
        var catalogDecisions = history.of("catalog").stream().map(Simulation.Sample::decision).filter(Decision::changes).toList();
        assertThat(history.replicas("catalog")).withFailMessage(
            "catalog is busy but never hot (its queue stays empty, its pages take 80 ms) and is at its min of 3: it should keep 3 replicas on every tick, but it had %s, after %s",
            history.replicas("catalog"), catalogDecisions).containsOnly(3);
    }

    @Test
    @Points(2)
    @DisplayName("The max holds: payments never runs more than 10 replicas, and a hot pool at its max is held")
    @Hint({"At tick 18 payments is still hot, with 800 checkouts queued, but it already has 10 replicas. What now? ('Min, max, and what max cannot take' in the lesson's README.)",
           "The max is a budget and a hard limit: more replicas than that are not to be had. A hot pool at its max holds; the gateway sheds the rest (lesson 03).",
           "Last hint: if (hot && replicas >= policy.maxReplicas()) return new Decision.Hold(service, replicas, \"hot, but at its max\");"})
    void maxRespected() {
        var history = flashSale();
        int most = history.replicas("payments").stream().mapToInt(Integer::intValue).max().orElse(0);
        assertThat(most).withFailMessage("payments' max is 10 replicas, but during the flash sale it was given %d: %s", most, history.replicas("payments"))
            .isLessThanOrEqualTo(10);

        var atMax = decide(0, pool("payments", 10, 800, 16_250));
        assertThat(atMax).withFailMessage("payments is hot (80 queued per replica) but already at its max of 10: the decision should be a Hold for 10 replicas, but was %s", atMax)
            .isInstanceOf(Decision.Hold.class);
        assertThat(atMax.replicas()).isEqualTo(10);
    }

    @Test
    @Points(2)
    @DisplayName("A scale-out step that would pass the max stops at the max: 9 replicas + 2 gives 10, not 11")
    @Hint({"The step is 2. From 9 replicas, one step is 11. What is the max?",
           "A step never passes the max: it stops at it.",
           "Last hint: scale out to Math.min(policy.maxReplicas(), replicas + policy.scaleOutStep())."})
    void stepStopsAtMax() {
        var decision = decide(0, pool("payments", 9, 200, 4_650));
        assertThat(decision).withFailMessage("payments is hot with 9 replicas and a max of 10: expected ScaleOut to 10, but the decision was %s", decision)
            .isInstanceOf(Decision.ScaleOut.class);
        assertThat(decision.replicas()).withFailMessage("9 replicas + a step of 2 would be 11, past the max of 10: expected 10, but got %d", decision.replicas())
            .isEqualTo(10);
    }

    @Test
    @Points(2)
    @DisplayName("The min holds: a cool pool at its min is held, and payments never runs fewer than 2 replicas")
    @Hint({"A quiet pool is at its min. Has it anything to give back? ('Min, max, and what max cannot take' in the lesson's README.)",
           "The min keeps the service available: with one replica less, one crash takes it down. A cool pool at its min holds.",
           "Last hint: if (cool && replicas <= policy.minReplicas()) return new Decision.Hold(service, replicas, \"cool, and at its min\");"})
    void minRespected() {
        var atMin = decide(0, pool("payments", 2, 0, 250));
        assertThat(atMin).withFailMessage("payments is cool (empty queue, 250 ms) but at its min of 2: expected a Hold for 2 replicas, but the decision was %s", atMin)
            .isInstanceOf(Decision.Hold.class);
        assertThat(atMin.replicas()).isEqualTo(2);

        var history = flashSale();
        int fewest = history.replicas("payments").stream().mapToInt(Integer::intValue).min().orElse(0);
        assertThat(fewest).withFailMessage("payments' min is 2 replicas, but during the flash sale it had %d: %s", fewest, history.replicas("payments"))
            .isGreaterThanOrEqualTo(2);
    }

    // ---- no flapping ----

    @Test
    @Points(3)
    @DisplayName("No flapping: a load that swings between the watermarks for 30 ticks causes no scaling action at all")
    @Hint({"Queues of 3 to 9 per replica and latencies of 600 to 1900 ms: hot, cool, or neither? ('Flapping, and the two cures' in the lesson's README.)",
           "Hysteresis: two thresholds. Scale out above the high watermark, scale in below the low one; in the band between, nothing happens, whichever way the signal came in.",
           "Last hint: scale in only when both signals are below their LOW watermark (policy.queuePerReplica().below(...) && policy.latencyMillis().below(...)), not as soon as they are no longer above the high one."})
    void noActionBetweenTheWatermarks() {
        List<Decision> decisions = new ArrayList<>();
        for (int tick = 0; tick < 30; tick++) {
            int queuePerReplica = tick % 2 == 0 ? 9 : 3;          // up and down, every tick
            int latency = tick % 2 == 0 ? 1_900 : 600;
            decisions.add(decide(tick, pool("payments", 6, 6 * queuePerReplica, latency)));
        }
        var actions = decisions.stream().filter(Decision::changes).toList();
        assertThat(actions).withFailMessage(
            "with 6 replicas, a queue swinging between 3 and 9 per replica and a latency between 600 and 1900 ms is between the watermarks (queue 2..10, latency 500..2000 ms): expected no action in 30 ticks, but got %s",
            actions).isEmpty();
    }

    @Test
    @Points(3)
    @DisplayName("The cooldown holds: after a scale-out at tick 10, a pool still hot is held at ticks 11 and 12 and scaled again at 13")
    @Hint({"After a scale-out at tick 10, when may the pool scale again? ('Flapping, and the two cures' in the lesson's README.)",
           "New replicas need time to show in the metrics, so after an action the service is left alone for cooldownTicks. The cooldown is kept per service.",
           "Last hint: remember the tick of each service's last action; hold while tick - lastActionTick < policy.cooldownTicks(); act again when it is >= (at 13 with a cooldown of 3)."})
    void cooldownHolds() {
        List<String> seen = new ArrayList<>();
        for (int tick = 10; tick <= 13; tick++) {
            var decision = decide(tick, pool("payments", tick == 10 ? 2 : 4, 400, 40_250));
            seen.add("tick " + tick + ": " + decision.getClass().getSimpleName() + " to " + decision.replicas());
        }
        assertThat(seen).withFailMessage(
            "payments stays hot; with a cooldown of 3 ticks it should scale out at tick 10, hold at 11 and 12, and scale out again at 13, but the decisions were %s", seen)
            .containsExactly("tick 10: ScaleOut to 4", "tick 11: Hold to 4", "tick 12: Hold to 4", "tick 13: ScaleOut to 6");
    }

    @Test
    @Points(2)
    @DisplayName("A scale-in starts a cooldown too: a pool that turns hot right after one is held until the cooldown is over")
    @Hint({"Does a scale-in start a cooldown too?",
           "The cooldown follows any action, in or out: the pool has just changed, and its metrics have not caught up.",
           "Last hint: record the tick of every ScaleIn and every ScaleOut, and check the cooldown before either."})
    void cooldownAfterScaleIn() {
        var in = decide(20, pool("payments", 6, 0, 250));
        var hotNext = decide(21, pool("payments", 5, 200, 8_250));
        var hotLater = decide(23, pool("payments", 5, 200, 8_250));
        assertThat(List.of(in, hotNext, hotLater)).withFailMessage(
            "payments scaled in at tick 20 (cooldown 3): expected ScaleIn at 20, Hold at 21 even though it is hot, ScaleOut at 23, but got %s",
            List.of(in, hotNext, hotLater))
            .extracting(d -> d.getClass().getSimpleName()).containsExactly("ScaleIn", "Hold", "ScaleOut");
        assertThat(in.replicas()).withFailMessage("a scale-in removes one replica: from 6 expected 5, but got %d", in.replicas()).isEqualTo(5);
    }

    // ---- two signals ----

    @Test
    @Points(2)
    @DisplayName("Latency alone can make a pool hot: an empty queue with checkouts taking 2.5 s scales out")
    @Hint({"Read 'What hot means: queue and latency' in the lesson's README. Can a pool with an empty queue be short of workers?",
           "Either signal alone is reason to add replicas: a short queue with every request slow is hot too.",
           "Last hint: hot = policy.queuePerReplica().above(pool.queuePerReplica()) || policy.latencyMillis().above(pool.latencyMillis());"})
    void latencyAloneIsHot() {
        var decision = decide(0, pool("payments", 4, 0, 2_500));
        assertThat(decision).withFailMessage("payments answers in 2500 ms, above its latency high watermark of 2000 ms: expected ScaleOut from 4 to 6, but got %s", decision)
            .isInstanceOf(Decision.ScaleOut.class);
        assertThat(decision.replicas()).isEqualTo(6);
    }

    @Test
    @Points(2)
    @DisplayName("A short queue is not enough to scale in while the latency is still between its watermarks")
    @Hint({"An empty queue, and checkouts still take a second. Is it time to shrink? ('What hot means: queue and latency' in the lesson's README.)",
           "Scaling in asks more than scaling out: a pool is cool only when both signals are below their low watermarks.",
           "Last hint: cool = policy.queuePerReplica().below(pool.queuePerReplica()) && policy.latencyMillis().below(pool.latencyMillis());"})
    void bothSignalsMustBeCool() {
        var decision = decide(0, pool("payments", 6, 0, 1_000));
        assertThat(decision).withFailMessage("payments' queue is empty, but its latency of 1000 ms is above the low watermark of 500 ms: expected a Hold at 6, but got %s", decision)
            .isInstanceOf(Decision.Hold.class);
        assertThat(decision.replicas()).isEqualTo(6);
    }

    // ---- each service on its own ----

    @Test
    @Points(2)
    @DisplayName("Each service has its own cooldown: payments scaling at tick 0 does not stop catalog scaling at tick 1")
    @Hint({"Does payments scaling at tick 0 make catalog wait? (End of 'Flapping, and the two cures' in the lesson's README.)",
           "The cooldown is per service. One 'last action' for the whole autoscaler makes every service wait for every other.",
           "Last hint: private final Map<String, Integer> lastActionAt = new HashMap<>(); keyed by pool.service()."})
    void cooldownPerService() {
        var first = Expect.returns(() -> autoscaler.decide(0, List.of(pool("catalog", 3, 0, 80), pool("payments", 2, 400, 40_250))),
            "decide should give one decision per pool");
        var second = Expect.returns(() -> autoscaler.decide(1, List.of(pool("catalog", 3, 60, 500), pool("payments", 4, 700, 35_250))),
            "decide should give one decision per pool");
        assertThat(first).extracting(d -> d.getClass().getSimpleName()).withFailMessage(
            "at tick 0 catalog is cool at its min (Hold) and payments is hot (ScaleOut): expected [Hold, ScaleOut], in the order of the pools, but got %s", first)
            .containsExactly("Hold", "ScaleOut");
        assertThat(second).extracting(d -> d.getClass().getSimpleName()).withFailMessage(
            "at tick 1 catalog is hot (500 ms, above its 300 ms) and has had no action, so it should scale out, while payments cools down: expected [ScaleOut, Hold], but got %s", second)
            .containsExactly("ScaleOut", "Hold");
    }

    @Test
    @Points(2)
    @DisplayName("One hot service does not drag another along: a hot payments leaves a calm catalog as it is")
    @Hint({"Payments is hot. Does that say anything about catalog? ('Scale what is hot, and only that' in the lesson's README.)",
           "Do not scale 'the shop': decide for each pool from that pool's own metrics and policy, and leave a calm service as it is.",
           "Last hint: loop over the pools and judge each one on its own: pools.stream().map(pool -> decide(tick, pool)).toList(), with no shared 'hot' flag."})
    void oneHotServiceOnly() {
        var decisions = Expect.returns(() -> autoscaler.decide(0, List.of(pool("payments", 4, 1_300, 65_250), pool("catalog", 4, 10, 90))),
            "decide should give one decision per pool");
        assertThat(decisions).withFailMessage("payments is hot and catalog (4 replicas, 90 ms, between its watermarks) is not: expected ScaleOut for payments and Hold at 4 for catalog, but got %s",
            decisions).extracting(d -> d.getClass().getSimpleName() + " " + d.service() + " " + d.replicas())
            .containsExactly("ScaleOut payments 6", "Hold catalog 4");
    }

    @Test
    @Points(2)
    @DisplayName("The queue alone can make a pool hot: 11 queued per replica scales payments out by 2 and catalog by 1, though their latency is fine")
    @Hint({"A long queue with requests that are still fast enough: is the pool about to fall behind? ('What hot means: queue and latency' in the lesson's README.)",
           "Either signal above its high watermark is hot. Each service then scales out by its own policy's step.",
           "Last hint: boolean hot = policy.queuePerReplica().above(pool.queuePerReplica()) || policy.latencyMillis().above(pool.latencyMillis()); and ScaleOut to Math.min(max, replicas + policy.scaleOutStep())."})
    void queueAloneIsHot() {
        var payments = decideFresh(pool("payments", 4, 44, 1_500));
        assertThat(describe(payments)).withFailMessage("payments has 11 queued per replica (above 10) and 1500 ms (below 2000): expected ScaleOut from 4 to 6, but got %s", payments)
            .isEqualTo("ScaleOut payments 6");
        var catalog = decideFresh(pool("catalog", 3, 33, 200));
        assertThat(describe(catalog)).withFailMessage("catalog has 11 queued per replica (above 10) and 200 ms (below 300): expected ScaleOut from 3 to 4 (its step is 1), but got %s", catalog)
            .isEqualTo("ScaleOut catalog 4");
    }

    @Test
    @Points(3)
    @DisplayName("A signal exactly at a watermark is neither hot nor cool: 10 per replica or 2000 ms holds, 10.25 or 2001 ms scales out, 2 or 500 ms holds, 1.75 and 499 ms scales in")
    @Hint({"A queue of exactly 10 per replica, when the high watermark is 10: hot, or between?",
           "Hot means above the high watermark, cool below the low one. A signal exactly on a watermark is in the band between, where nothing happens. And the queue per replica is a fraction, not rounded.",
           "Last hint: use Watermarks.above and below as given (> high, < low), with pool.queuePerReplica() (a double), never queueDepth / replicas in ints, never >= or <=."})
    void watermarksAreExact() {
        record Case(PoolMetrics pool, String expected, String why) {}
        var cases = List.of(
            new Case(pool("payments", 4, 40, 1_000), "Hold payments 4", "10 queued per replica is at the high watermark of 10, not above it"),
            new Case(pool("payments", 4, 41, 1_000), "ScaleOut payments 6", "10.25 queued per replica is above the high watermark of 10"),
            new Case(pool("payments", 4, 0, 2_000), "Hold payments 4", "2000 ms is at the latency high watermark of 2000 ms, not above it"),
            new Case(pool("payments", 4, 0, 2_001), "ScaleOut payments 6", "2001 ms is above the latency high watermark of 2000 ms"),
            new Case(pool("payments", 4, 8, 100), "Hold payments 4", "2 queued per replica is at the low watermark of 2, not below it"),
            new Case(pool("payments", 4, 7, 499), "ScaleIn payments 3", "1.75 queued per replica and 499 ms are both below their low watermarks (2 and 500 ms)"),
            new Case(pool("payments", 4, 0, 500), "Hold payments 4", "500 ms is at the latency low watermark of 500 ms, not below it"),
            new Case(pool("catalog", 4, 0, 300), "Hold catalog 4", "300 ms is at catalog's latency high watermark of 300 ms, not above it"),
            new Case(pool("catalog", 4, 0, 119), "ScaleIn catalog 3", "an empty queue and 119 ms are below catalog's low watermarks (2 and 120 ms)"));
        for (var c : cases) {
            var decision = decideFresh(c.pool());
            assertThat(describe(decision)).withFailMessage("%s with %d replicas, %d queued and %d ms: expected %s, because %s; but got %s",
                c.pool().service(), c.pool().replicas(), c.pool().queueDepth(), c.pool().latencyMillis(), c.expected(), c.why(), decision).isEqualTo(c.expected());
        }
    }

    @Test
    @Points(2)
    @DisplayName("The queue is judged per replica, as a fraction: 30 queued on 4 replicas (7.5 each) holds, 21 on 2 replicas (10.5 each) scales out")
    @Hint({"40 requests waiting for 2 replicas, or 80 for 4: which is worse?",
           "They are as bad as each other: 20 each. The queue watermarks are per replica, and the division is in floating point. PoolMetrics.queuePerReplica() does it for you.",
           "Last hint: policy.queuePerReplica().above(pool.queuePerReplica()), never above(pool.queueDepth()) nor queueDepth / replicas in ints (21 / 2 is 10 in ints)."})
    void queueIsPerReplica() {
        var spread = decideFresh(pool("payments", 4, 30, 1_000));
        assertThat(describe(spread)).withFailMessage("30 queued on 4 replicas is 7.5 each, between the watermarks 2 and 10 (and 1000 ms is between 500 and 2000): expected a Hold at 4, but got %s "
            + "(is the whole queue compared with a watermark meant per replica?)", spread).isEqualTo("Hold payments 4");
        var crowded = decideFresh(pool("payments", 2, 21, 1_000));
        assertThat(describe(crowded)).withFailMessage("21 queued on 2 replicas is 10.5 each, above the high watermark of 10: expected ScaleOut from 2 to 4, but got %s "
            + "(in integers 21 / 2 is 10, which is not above 10)", crowded).isEqualTo("ScaleOut payments 4");
    }

    @Test
    @Points(2)
    @DisplayName("Only a ScaleOut or a ScaleIn starts a cooldown: a Hold at the max, at the min or between the watermarks does not")
    @Hint({"Does a Hold change the pool? Is there anything for the metrics to catch up with?",
           "The cooldown lets the metrics catch up with a change of the pool. A Hold changes nothing, so it starts no cooldown, at the max, at the min or between the watermarks.",
           "Last hint: if (decision.changes()) lastActionAt.put(pool.service(), tick); after judging, and nothing for a Hold."})
    void onlyActionsStartACooldown() {
        var atMax = decide(0, pool("payments", 10, 800, 16_250));
        var coolNext = decide(1, pool("payments", 10, 0, 250));
        assertThat(List.of(describe(atMax), describe(coolNext))).withFailMessage("hot at its max at tick 0 is a Hold, which starts no cooldown; cool at tick 1 should scale in at once: "
            + "expected [Hold payments 10, ScaleIn payments 9], but got %s and %s", atMax, coolNext).containsExactly("Hold payments 10", "ScaleIn payments 9");

        var catalog = new Autoscaler(Simulation.flashSalePolicies());
        var atMin = catalog.decide(0, List.of(pool("catalog", 3, 0, 80))).get(0);
        var hotNext = catalog.decide(1, List.of(pool("catalog", 3, 0, 400))).get(0);
        assertThat(List.of(describe(atMin), describe(hotNext))).withFailMessage("catalog cool at its min at tick 0 is a Hold, which starts no cooldown; hot at tick 1 it should scale out at once: "
            + "expected [Hold catalog 3, ScaleOut catalog 4], but got %s and %s", atMin, hotNext).containsExactly("Hold catalog 3", "ScaleOut catalog 4");

        var out = decide(10, pool("payments", 2, 0, 2_500));
        var between = decide(13, pool("payments", 4, 0, 1_000));
        var hotAgain = decide(14, pool("payments", 4, 0, 2_500));
        assertThat(List.of(describe(out), describe(between), describe(hotAgain))).withFailMessage("a scale-out at tick 10 (cooldown 3), a Hold between the watermarks at 13, hot at 14: "
            + "expected [ScaleOut payments 4, Hold payments 4, ScaleOut payments 6] (the Hold at 13 does not start the cooldown again), but got %s, %s, %s", out, between, hotAgain)
            .containsExactly("ScaleOut payments 4", "Hold payments 4", "ScaleOut payments 6");
    }

    @Test
    @Points(2)
    @DisplayName("The cooldown, step and limits are each policy's own: a cooldown of 0 acts every tick, one of 5 waits 5 ticks")
    @Hint({"Is anything in your autoscaler a fixed 3, 2 or 10?",
           "Every number comes from the service's own ScalingPolicy: min, max, step and cooldown differ from service to service. A cooldown of 0 never holds.",
           "Last hint: Integer last = lastActionAt.get(service); if (last != null && tick - last < policy.cooldownTicks()) return new Decision.Hold(...);"})
    void eachPolicysOwnNumbers() {
        var latency = new Watermarks(100, 200);
        var queue = new Watermarks(1, 5);
        var autoscaler = new Autoscaler(Map.of(
            "search", new ScalingPolicy(1, 7, 3, 0, queue, latency),
            "reviews", new ScalingPolicy(2, 20, 4, 5, queue, latency)));
        List<String> search = new ArrayList<>();
        List<String> reviews = new ArrayList<>();
        int searchReplicas = 1, reviewsReplicas = 2;
        for (int tick = 2; tick <= 8; tick++) {
            var decisions = autoscaler.decide(tick, List.of(pool("search", searchReplicas, 0, 250), pool("reviews", reviewsReplicas, 0, 250)));
            search.add(describe(decisions.get(0)));
            reviews.add(describe(decisions.get(1)));
            searchReplicas = decisions.get(0).replicas();
            reviewsReplicas = decisions.get(1).replicas();
        }
        assertThat(search).withFailMessage("search (1 to 7 replicas, step 3, cooldown 0) is hot at 250 ms on every tick from 2 to 8: expected it to scale out at once on each tick until its max, "
            + "%s, but got %s", List.of("ScaleOut search 4", "ScaleOut search 7", "Hold search 7", "Hold search 7", "Hold search 7", "Hold search 7", "Hold search 7"), search)
            .containsExactly("ScaleOut search 4", "ScaleOut search 7", "Hold search 7", "Hold search 7", "Hold search 7", "Hold search 7", "Hold search 7");
        assertThat(reviews).withFailMessage("reviews (2 to 20 replicas, step 4, cooldown 5) is hot on every tick from 2 to 8: expected ScaleOut at 2, Hold at 3 to 6, ScaleOut at 7 "
            + "(2 + 5), Hold at 8, but got %s", reviews)
            .containsExactly("ScaleOut reviews 6", "Hold reviews 6", "Hold reviews 6", "Hold reviews 6", "Hold reviews 6", "ScaleOut reviews 10", "Hold reviews 10");
    }

    @Test
    @DisplayName("Decisions come in the order of the pools, each naming its service, and a service without a policy is refused")
    @Hint({"In what order do the decisions come back? What if a pool's service has no policy?",
           "decide returns one decision per pool, in the order it was given them. A service without a policy is refused, naming it: policyOf (given) does that.",
           "Last hint: pools.stream().map(pool -> decide(tick, pool)).toList(), with the policy from policyOf(pool.service()), which throws IllegalArgumentException for an unknown service."})
    void decisionsInOrder() {
        var decisions = autoscaler.decide(0, List.of(pool("payments", 4, 0, 1_000), pool("catalog", 3, 60, 500), pool("payments", 6, 0, 250)));
        assertThat(decisions).withFailMessage("three pools, payments, catalog, payments: expected [Hold payments 4, ScaleOut catalog 4, ScaleIn payments 5] in that order, but got %s", decisions)
            .extracting(AutoscalerTest::describe).containsExactly("Hold payments 4", "ScaleOut catalog 4", "ScaleIn payments 5");

        var refused = Expect.thrown(IllegalArgumentException.class, () -> autoscaler.decide(1, List.of(pool("search", 2, 0, 250))),
            "the autoscaler has no policy for search, and should refuse its pool with an IllegalArgumentException");
        assertThat(refused.getMessage()).withFailMessage("the IllegalArgumentException should name the service without a policy (search), but said: %s", refused.getMessage())
            .contains("search");
    }

    @Test
    @DisplayName("A ScaleOut or ScaleIn says why with the pool's numbers: its queue per replica and its latency in ms")
    @Hint({"The log at 12:03 says 'ScaleOut'. Does it say what the autoscaler saw?",
           "A decision says why, with the numbers it judged: the pool's queue per replica and its latency, for every ScaleOut and ScaleIn.",
           "Last hint: \"hot: %.1f queued per replica, %d ms\".formatted(pool.queuePerReplica(), pool.latencyMillis()), and the same for cool."})
    void whyGivesTheNumbers() {
        var out = decideFresh(pool("payments", 4, 260, 16_250));
        assertThat(out.why()).withFailMessage("%s should say why with the pool's numbers, 65 queued per replica and 16250 ms, but its why was \"%s\"", out, out.why())
            .contains("65").contains("16250");
        var in = decideFresh(pool("payments", 6, 0, 375));
        assertThat(in.why()).withFailMessage("%s should say why with the pool's numbers, 0 queued per replica and 375 ms, but its why was \"%s\"", in, in.why())
            .contains("375");
    }

    // ---- helpers ----

    private Simulation.History flashSale() {
        var fresh = new Autoscaler(Simulation.flashSalePolicies());
        return Expect.returns(() -> Simulation.run(Simulation.flashSaleShop(), LoadProfile.flashSale(), fresh, 60),
            "the flash sale should run through its 60 ticks with your autoscaler");
    }

    private Decision decide(int tick, PoolMetrics pool) {
        var decisions = Expect.returns(() -> autoscaler.decide(tick, List.of(pool)), "decide should give one decision for one pool");
        assertThat(decisions).withFailMessage("decide was given one pool and should return one decision, but returned %s", decisions).hasSize(1);
        return decisions.get(0);
    }

    /** One decision of a new autoscaler with the shop's policies: no cooldown from an earlier decision. */
    private static Decision decideFresh(PoolMetrics pool) {
        return new Autoscaler(Simulation.flashSalePolicies()).decide(0, List.of(pool)).get(0);
    }

    /** "ScaleOut payments 6": the kind of decision, the service and the replicas it leaves. */
    private static String describe(Decision decision) {
        return decision.getClass().getSimpleName() + " " + decision.service() + " " + decision.replicas();
    }

    private static PoolMetrics pool(String service, int replicas, int queueDepth, int latencyMillis) {
        return new PoolMetrics(service, replicas, queueDepth, latencyMillis);
    }

}
