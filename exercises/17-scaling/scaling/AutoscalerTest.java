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
    @Hint({"Run the simulation in your head: at tick 6 payments has 400 checkouts queued for 2 replicas. It is hot, so +2. What may happen at ticks 7 and 8?",
           "After a scale-out at tick t, the next action for that service comes at t + cooldownTicks at the earliest (tick - last >= cooldown), and only if it is still hot.",
           "See 'Flapping, and the two cures' in the lesson's README."})
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
    @Hint({"At tick 22 the queue is empty and checkouts take 250 ms: cool on both signals. Take one replica away, then wait for the cooldown.",
           "Scale in by one (not by the scale-out step), never below minReplicas, and only when both signals are below their low watermark.",
           "See 'Scale out fast, in slowly' in the lesson's README."})
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
    @Hint({"Catalog is busy at 12:00 but its queue stays empty and its pages take 80 ms. Is that hot?",
           "Judge each pool on its own metrics and its own policy. Payments being hot says nothing about catalog.",
           "See 'Scale what is hot, and only that' in the lesson's README: a bulkhead per service, and a decision per service."})
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
    @Hint({"At tick 18 payments is still hot, with 800 checkouts queued, but it already has 10 replicas.",
           "When the pool is hot and replicas >= maxReplicas, hold: more replicas than the max are not to be had (the gateway sheds the rest, lesson 03).",
           "See 'Min, max, and what max cannot take' in the lesson's README."})
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
    @Hint({"The step is 2. From 9, one step is 11: more than the max.",
           "Scale out to Math.min(maxReplicas, replicas + scaleOutStep).",
           "See 'Min, max, and what max cannot take' in the lesson's README."})
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
    @Hint({"A quiet pool at its min has nothing to give back: one replica less, and one crash takes the service down.",
           "When the pool is cool and replicas <= minReplicas, hold.",
           "See 'Min, max, and what max cannot take' in the lesson's README."})
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
    @Hint({"Queues of 3 to 9 per replica and latencies of 600 to 1900 ms are neither hot (above 10 or 2000 ms) nor cool (below 2 and 500 ms).",
           "Scale in only when both signals are below their LOW watermark, not as soon as they are no longer above the high one.",
           "See 'Flapping, and the two cures' in the lesson's README: the band between the watermarks is where nothing happens."})
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
    @Hint({"Remember, per service, the tick of its last scale-out or scale-in.",
           "Hold while tick - lastActionTick < cooldownTicks; act again when it is >= cooldownTicks (3 here).",
           "See 'Flapping, and the two cures' in the lesson's README: new replicas need time to show in the metrics."})
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
    @Hint({"The cooldown follows any action, in or out: the pool has just changed, and its metrics have not caught up.",
           "Record the tick of every ScaleIn and ScaleOut, and check the cooldown before either.",
           "See 'Flapping, and the two cures' in the lesson's README."})
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
    @Hint({"Queues can be short while every request is slow, for instance when each worker waits longer on the card processor.",
           "Hot is: queue per replica above its high watermark OR latency above its high watermark.",
           "See 'What hot means: queue and latency' in the lesson's README."})
    void latencyAloneIsHot() {
        var decision = decide(0, pool("payments", 4, 0, 2_500));
        assertThat(decision).withFailMessage("payments answers in 2500 ms, above its latency high watermark of 2000 ms: expected ScaleOut from 4 to 6, but got %s", decision)
            .isInstanceOf(Decision.ScaleOut.class);
        assertThat(decision.replicas()).isEqualTo(6);
    }

    @Test
    @Points(2)
    @DisplayName("A short queue is not enough to scale in while the latency is still between its watermarks")
    @Hint({"Both signals must be cool before a replica goes: an empty queue with checkouts taking a second is no time to shrink.",
           "Cool is: queue per replica below its low watermark AND latency below its low watermark.",
           "See 'What hot means: queue and latency' in the lesson's README."})
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
    @Hint({"One 'last action' for the whole autoscaler makes every service wait for every other.",
           "Keep the tick of the last action per service, in a Map<String, Integer> keyed by the service's name.",
           "See 'Scale what is hot, and only that' in the lesson's README."})
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
    @Hint({"Decide for each pool from that pool's metrics only.",
           "Do not scale 'the shop' when one service is hot: loop over the pools and judge each with its own policy.",
           "See 'Scale what is hot, and only that' in the lesson's README."})
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
    @Hint({"A long queue with requests that are still fast enough is a pool about to fall behind: either signal above its high watermark is hot.",
           "Hot is queue per replica above its high watermark OR latency above its; each service scales out by its own policy's scaleOutStep.",
           "Last hint: `boolean hot = policy.queuePerReplica().above(pool.queuePerReplica()) || policy.latencyMillis().above(pool.latencyMillis());` and ScaleOut to `Math.min(max, replicas + policy.scaleOutStep())`."})
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
    @Hint({"Hot means above the high watermark, cool means below the low one: a signal that sits exactly on a watermark is in the band between, where nothing happens.",
           "Compare with > high and < low (Watermarks.above and Watermarks.below do), not >= and <=; and compare the queue per replica as a fraction, not rounded.",
           "Last hint: use `policy.queuePerReplica().above(pool.queuePerReplica())` and `policy.latencyMillis().below(pool.latencyMillis())`, and pool.queuePerReplica() (a double) rather than queueDepth / replicas in ints."})
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
    @Hint({"40 requests waiting for 2 replicas are 20 each, as bad as 80 for 4: the watermarks are per replica.",
           "Divide the queue by the replicas, in floating point: PoolMetrics.queuePerReplica() does it for you.",
           "Last hint: `policy.queuePerReplica().above(pool.queuePerReplica())`, never `above(pool.queueDepth())` nor `queueDepth / replicas` in ints (21 / 2 is 10 in ints)."})
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
    @Hint({"The cooldown lets the metrics catch up with a change of the pool. A Hold changes nothing, so there is nothing to wait for.",
           "Record the tick of the last action only when the decision changes the pool (Decision.changes()).",
           "Last hint: `if (decision.changes()) lastActionAt.put(pool.service(), tick);` after judging, and nothing for a Hold."})
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
    @Hint({"Read every number from the service's own ScalingPolicy: min, max, step and cooldown differ from service to service.",
           "Hold while tick - lastActionTick < policy.cooldownTicks(); with a cooldown of 0, that is never.",
           "Last hint: `Integer last = lastActionAt.get(service); if (last != null && tick - last < policy.cooldownTicks()) return new Decision.Hold(...);`."})
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
    @Hint({"decide returns one decision per pool, in the order it was given them, whatever that order is.",
           "Map the list of pools to a list of decisions in order; look the policy up by the pool's service, and throw IllegalArgumentException naming it when there is none.",
           "Last hint: `pools.stream().map(pool -> decide(tick, pool)).toList()`, and `if (policy == null) throw new IllegalArgumentException(\"no scaling policy for \" + service);`."})
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
    @Hint({"The log at 12:03 should show what the autoscaler saw, not only what it did.",
           "Put the queue per replica and the latency into the why of every ScaleOut and ScaleIn.",
           "Last hint: `\"hot: %.1f queued per replica, %d ms\".formatted(pool.queuePerReplica(), pool.latencyMillis())`, and the same for cool."})
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
