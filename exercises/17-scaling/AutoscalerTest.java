package scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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

    private static PoolMetrics pool(String service, int replicas, int queueDepth, int latencyMillis) {
        return new PoolMetrics(service, replicas, queueDepth, latencyMillis);
    }

}
