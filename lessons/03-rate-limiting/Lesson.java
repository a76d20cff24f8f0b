///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 03 · Rate limiting: a flash sale, one greedy client, and a fair share for everybody at the gateway.

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final String BOT = "bargain-bot", WEB = "web-shop", MOBILE = "mobile-app";
    static final Instant SALE_OPENS = Instant.parse("2026-01-05T12:00:00Z");
    /** What the orders service can take: 20 requests a second. The 21st in the same second gets 503. */
    static final int ORDERS_PER_SECOND = 20;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Narrator story;
    static Peer orders;
    static Javalin gateway;
    /** The gateway's time. The story moves it, so "a second later" takes no time and every run counts the same. */
    static final ManualClock clock = new ManualClock(SALE_OPENS.minus(Duration.ofHours(3)));
    /** Who may pass: nobody is stopped at first, then a fixed window, then token buckets. */
    static volatile Admission admission = client -> Verdict.ALLOWED;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("03-rate-limiting", args);
        boolean mine = story.mine();
        aCalmMorning();
        theFlashSaleOpens();
        aLimitPerClient();
        aBurstAtTheBoundary();
        tokenBuckets();
        aPoliteClient();
        if (mine) yourTokenBuckets();
        serveWithARealClock();
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void aCalmMorning() throws Exception {
        story.tell("""
            The shop's gateway serves three API clients: web-shop (the shop's own site), mobile-app, and
            bargain-bot, a price-comparison partner that polls our orders API. Every client sends its key in the
            header X-Api-Key. Behind the gateway, orders can take 20 requests a second; past that it is overloaded
            and answers 503.""");
        story.step("A calm morning: every request goes through");
        // The gateway starts while orders does: both are mostly class loading, and there are two cores.
        var starting = java.util.concurrent.CompletableFuture.supplyAsync(Lesson::startGateway);
        orders = Peer.start("orders");
        // tag::orders[]
        // orders serves 20 requests a second; from the 21st on, in the same second, it is overloaded.
        ResponseDefinitionBuilder[] answers = new ResponseDefinitionBuilder[ORDERS_PER_SECOND + 1];
        for (int i = 0; i < ORDERS_PER_SECOND; i++) answers[i] = okJson("{\"id\": \"o-1\", \"status\": \"placed\"}");
        answers[ORDERS_PER_SECOND] = serviceUnavailable().withBody("{\"error\": \"overloaded\"}");
        orders.answerInTurn(get(urlPathMatching("/orders/.*")), answers);
        // end::orders[]
        gateway = starting.join();
        story.say("orders is up at " + orders.uri() + ", the gateway at " + gatewayUrl());
        story.state("limit", "none: the gateway forwards every request");

        var morning = new Traffic();
        for (int i = 0; i < 3; i++) {
            at(Duration.ofHours(-3).plusMinutes(10L * i));
            for (String client : List.of(WEB, MOBILE, BOT)) {
                var answer = morning.send(client);
                story.say(now() + "  " + "%-12s".formatted(client) + "GET /orders/o-1  " + answer.status());
            }
        }
        story.check(morning.served(WEB) == 3 && morning.served(MOBILE) == 3 && morning.served(BOT) == 3,
            "all 9 requests of the morning were served (200)");
        story.check(orders.hits() == 9, "orders saw all 9 of them");
    }

    static void theFlashSaleOpens() throws Exception {
        story.step("Noon: the flash sale opens, and one client floods the gateway");
        orders.forgetRequests();
        var sale = flashSecond(Duration.ZERO);
        sale.print();
        story.tell("""
            bargain-bot fired 40 requests in the first millisecond of the sale. orders served the first 20 and
            was overloaded for the rest of the second, so the people on the web shop and the mobile app, whose
            clicks came a few hundred milliseconds later, got nothing but errors. Nobody broke a rule: there was
            no rule. One client's traffic is everybody's problem.""");
        story.check(sale.served(BOT) == ORDERS_PER_SECOND, "bargain-bot got all 20 requests orders could serve in that second");
        story.check(sale.served(WEB) == 0 && sale.served(MOBILE) == 0, "web-shop and mobile-app were starved: 0 of their 10 requests served");
        story.check(sale.failed() == 30, "orders answered 503 to the other 30 requests");
        story.check(orders.hits() == 50, "all 50 requests reached orders: the gateway let everything through");
    }

    static void aLimitPerClient() throws Exception {
        story.step("A limit per client: at most 10 requests per second each (a fixed window)");
        admission = new FixedWindow(10, clock);
        story.state("limit", "10 requests per client per calendar second, counted in a window that resets on the second");
        orders.forgetRequests();
        var sale = flashSecond(Duration.ofSeconds(5));
        sale.print();
        story.say("bargain-bot's 11th request was answered by the gateway: 429, Retry-After: " + sale.lastRetryAfter(BOT));
        story.tell("""
            The gateway now counts each client's requests in the current second. From the 11th on it answers
            429 Too Many Requests itself, with Retry-After saying when to come back, and orders never hears of
            them. bargain-bot gets its 10, and the people get all of theirs.""");
        story.check(sale.served(BOT) == 10 && sale.throttled(BOT) == 30, "bargain-bot: 10 served, 30 throttled with 429");
        story.check(sale.served(WEB) == 5 && sale.served(MOBILE) == 5, "web-shop and mobile-app: all 5 requests each served");
        story.check(sale.failed() == 0 && orders.hits() == 20, "orders saw only the 20 allowed requests, and was never overloaded");
        story.check(sale.everyThrottledHadRetryAfter(), "every 429 carried a Retry-After header");
    }

    static void aBurstAtTheBoundary() throws Exception {
        story.step("The fixed window's flaw: a double burst at the boundary");
        var edge = new Traffic();
        at(Duration.ofMillis(9_999));
        int before = edge.burst(BOT, 10);
        at(Duration.ofMillis(10_000));
        int after = edge.burst(BOT, 10);
        story.say("12:00:09.999  bargain-bot fires 10 requests: " + before + " served (the last 10 of second 9)");
        story.say("12:00:10.000  bargain-bot fires 10 requests: " + after + " served (the first 10 of second 10)");
        story.tell("""
            "10 per second" let 20 requests through within one millisecond: the window reset between them. A
            client that learns where the windows begin can always send twice the limit at once, and a service
            sized for the limit takes double. Sliding windows soften this; a token bucket removes it.""");
        story.check(before + after == 20, "bargain-bot got 20 requests through within 1 ms, twice the limit of 10 per second");
    }

    static void tokenBuckets() throws Exception {
        story.step("Token buckets: a burst of 10, then 5 a second, per client (Bucket4j)");
        var buckets = new TokenBuckets(timeOf(clock));
        admission = buckets;
        story.state("limit", "a bucket per client: capacity 10 tokens, refilled at 5 tokens per second; one token per request");
        orders.forgetRequests();
        var sale = flashSecond(Duration.ofSeconds(20));
        sale.print();
        story.check(sale.served(BOT) == 10 && sale.throttled(BOT) == 30, "bargain-bot: its burst of 10 served, 30 throttled with 429");
        story.check(sale.served(WEB) == 5 && sale.served(MOBILE) == 5, "web-shop and mobile-app kept being served: 5 of 5 each");
        story.check(sale.failed() == 0, "orders was never overloaded");

        var edge = new Traffic();
        at(Duration.ofMillis(30_999));
        int before = edge.burst(BOT, 10);
        at(Duration.ofMillis(31_000));
        int after = edge.burst(BOT, 10);
        story.say("12:00:30.999  bargain-bot fires 10 requests: " + before + " served (the bucket had refilled to 10, no more)");
        story.say("12:00:31.000  bargain-bot fires 10 requests: " + after + " served (1 ms refills 0.005 tokens)");
        story.state("bucket of " + BOT, describe(buckets, BOT));
        story.tell("""
            A bucket has no boundary to game. Tokens come back continuously, at 5 a second, and never pile up
            beyond the capacity of 10: in any instant a client gets at most 10 through, and over any long stretch
            5 a second. The capacity is the burst you allow; the rate is the pace you can afford.""");
        story.check(before + after == 10, "at the second's boundary bargain-bot got 10 through, the capacity, not 20");
    }

    static void aPoliteClient() throws Exception {
        story.step("A polite client waits as long as Retry-After says");
        var buckets = (TokenBuckets) admission;
        long nextTokenMillis = buckets.bucketOf(BOT).estimateAbilityToConsume(1).getNanosToWaitForRefill() / 1_000_000;
        var polite = new Traffic();
        var denied = polite.send(BOT);
        story.say(now() + "  bargain-bot: " + denied.status() + ", Retry-After: " + denied.retryAfter()
            + "  (its next token was " + nextTokenMillis + " ms away)");
        at(Duration.ofMillis(31_000).plusSeconds(Long.parseLong(denied.retryAfter())));
        int served = polite.burst(BOT, 6);
        story.say(now() + "  bargain-bot fires 6 requests after waiting: " + served + " served");
        for (String client : List.of(BOT, WEB, MOBILE)) story.state("bucket of " + client, describe(buckets, client));
        story.tell("""
            Retry-After counts whole seconds, so the gateway rounds up: a wait of 199 ms is 1 second. Rounded
            down it would be 0, an invitation to try again at once and be refused again. After waiting the
            second, bargain-bot found 5 new tokens: a client that waits as told gets its 5 a second through.""");
        story.check(nextTokenMillis > 0 && nextTokenMillis < 1000, "the next token was less than a second away (" + nextTokenMillis + " ms): rounded down, 0 s");
        story.check(denied.status() == 429 && denied.retryAfter().equals("1"), "the denied request was told Retry-After: 1, the wait rounded up");
        story.check(served == 5, "after waiting 1 s, 5 of 6 requests were served: one second of refill at 5 a second");
        story.tell("""
            The production version of this step is a library: Bucket4j here, or the limiter of Envoy, NGINX or
            your API gateway. Now write the token bucket yourself, exact to the billionth of a token and safe
            under many threads: exercises/03-rate-limiting, then ./jbang workbook check 03""");
    }

    static void yourTokenBuckets() {
        story.step("Your token buckets, in the same flash sale (--mine)");
        Mine mine = Mine.compile("03-rate-limiting");
        try {
            // tag::mine[]
            Object limit = mine.create("ratelimit.Limit", 10L, 5.0);
            Object limiter = mine.create("ratelimit.RateLimiter", limit, clock);
            admission = client -> {
                Object decision = mine.call(limiter, "tryAcquire", client);
                return (Boolean) mine.call(decision, "allowed") ? Verdict.ALLOWED : Verdict.deniedFor((Duration) mine.call(decision, "retryAfter"));
            };
            // end::mine[]
            mine.call(limiter, "tryAcquire", "a first try"); // a TODO shows here, not as a 500 from the gateway
            orders.forgetRequests();
            var sale = flashSecond(Duration.ofSeconds(40));
            sale.print();
            story.check(sale.served(BOT) == 10 && sale.throttled(BOT) == 30, "your buckets: bargain-bot's burst of 10 served, 30 throttled with 429");
            story.check(sale.served(WEB) == 5 && sale.served(MOBILE) == 5, "your buckets: web-shop and mobile-app served, 5 of 5 each");
            var edge = new Traffic();
            at(Duration.ofMillis(50_999));
            int before = edge.burst(BOT, 10);
            at(Duration.ofMillis(51_000));
            int after = edge.burst(BOT, 10);
            story.say("12:00:50.999 and 12:00:51.000: bargain-bot got " + before + " and " + after + " requests through");
            story.check(before + after == 10, "your buckets: at the second's boundary bargain-bot got 10 through, not 20");
        } catch (Exception e) {
            story.check(false, "your RateLimiter ran the flash sale (it threw " + e + ")");
        }
    }

    static void serveWithARealClock() {
        if (!story.serving()) return;
        // For curl, time must pass by itself: the same buckets on the system's clock, and orders without a cap.
        admission = new TokenBuckets(TimeMeter.SYSTEM_NANOTIME);
        orders.reset();
        orders.stub(get(urlPathMatching("/orders/.*")).willReturn(okJson("{\"id\": \"o-1\", \"status\": \"placed\"}")));
        String url = gatewayUrl() + "/orders/o-1";
        story.serve(
            "curl -i -H 'X-Api-Key: web-shop' " + url,
            "for i in $(seq 15); do curl -s -o /dev/null -w '%{http_code} ' -H 'X-Api-Key: " + BOT + "' " + url + "; done; echo",
            "curl -i -H 'X-Api-Key: " + BOT + "' " + url + "      (right after the loop: 429 with Retry-After)",
            "curl -i " + url + "      (no key: 401)");
    }

    // ---- the gateway ----

    /** What the gateway's limiter said: pass, or come back after a while. */
    record Verdict(boolean allowed, Duration retryAfter) {
        static final Verdict ALLOWED = new Verdict(true, Duration.ZERO);

        static Verdict deniedFor(Duration retryAfter) { return new Verdict(false, retryAfter); }
    }

    /** A rate limiting policy: asked once per request, with the client's key. */
    interface Admission {
        Verdict admit(String client);
    }

    // tag::gateway[]
    static Javalin startGateway() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "gateway");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/orders/{id}", Lesson::limitThenForward);
        }).start("127.0.0.1", 0);
    }

    static void limitThenForward(Context ctx) throws Exception {
        String client = ctx.header("X-Api-Key");
        if (client == null) {
            ctx.status(401).result("{\"error\": \"send your key in X-Api-Key\"}");
            return;
        }
        Verdict verdict = admission.admit(client);
        if (!verdict.allowed()) {
            // Answered here: orders never sees the request. Retry-After is in whole seconds, rounded up.
            long seconds = Math.ceilDiv(verdict.retryAfter().toNanos(), 1_000_000_000L);
            ctx.status(429).header("Retry-After", Long.toString(seconds)).result("{\"error\": \"too many requests\"}");
            return;
        }
        forwardToOrders(ctx);
    }
    // end::gateway[]

    static void forwardToOrders(Context ctx) throws Exception {
        try {
            var answer = HTTP.send(HttpRequest.newBuilder(orders.uri().resolve(ctx.path())).build(), BodyHandlers.ofString());
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        } catch (IOException e) {
            ctx.status(502).result("{\"error\": \"orders did not answer\"}");
        }
    }

    // ---- two policies: a fixed window (our own), and token buckets (Bucket4j) ----

    // tag::fixed-window[]
    /** At most {@code limit} requests per client in each calendar second. Simple, and leaky at the edges. */
    static final class FixedWindow implements Admission {
        record Window(long second, int count) {}

        private final Map<String, Window> windows = new ConcurrentHashMap<>();
        private final int limit;
        private final InstantSource clock;

        FixedWindow(int limit, InstantSource clock) {
            this.limit = limit;
            this.clock = clock;
        }

        @Override
        public Verdict admit(String client) {
            Instant now = clock.instant();
            long second = now.getEpochSecond();
            // merge is atomic per key: a new second starts a new count, otherwise the count goes up by one.
            Window window = windows.merge(client, new Window(second, 1),
                (old, first) -> old.second() == second ? new Window(second, old.count() + 1) : first);
            if (window.count() <= limit) return Verdict.ALLOWED;
            return Verdict.deniedFor(Duration.between(now, Instant.ofEpochSecond(second + 1)));
        }
    }
    // end::fixed-window[]

    // tag::bucket4j[]
    /** A Bucket4j token bucket per client: a burst of 10, then 5 tokens a second, added continuously. */
    static final class TokenBuckets implements Admission {
        private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
        private final TimeMeter time;

        TokenBuckets(TimeMeter time) { this.time = time; }

        private Bucket bucketOf(String client) {
            return buckets.computeIfAbsent(client, c -> Bucket.builder()
                .addLimit(limit -> limit.capacity(10).refillGreedy(5, Duration.ofSeconds(1)))
                .withCustomTimePrecision(time)
                .build());
        }

        @Override
        public Verdict admit(String client) {
            ConsumptionProbe probe = bucketOf(client).tryConsumeAndReturnRemaining(1);
            return probe.isConsumed() ? Verdict.ALLOWED : Verdict.deniedFor(Duration.ofNanos(probe.getNanosToWaitForRefill()));
        }
    }
    // end::bucket4j[]

    /** A bucket's state for the narration: whole tokens, and when the next one comes. */
    static String describe(TokenBuckets buckets, String client) {
        Bucket bucket = buckets.bucketOf(client);
        long tokens = bucket.getAvailableTokens();
        if (tokens >= 10) return "10 of 10 tokens (full)";
        long nextInMillis = bucket.estimateAbilityToConsume(tokens + 1).getNanosToWaitForRefill() / 1_000_000;
        return tokens + " of 10 tokens, the next in " + nextInMillis + " ms";
    }

    /** Bucket4j asks a TimeMeter for the time; this one reads the story's clock. */
    static TimeMeter timeOf(InstantSource clock) {
        return new TimeMeter() {
            @Override public long currentTimeNanos() { return Duration.between(ManualClock.EPOCH, clock.instant()).toNanos(); }
            @Override public boolean isWallClockBased() { return false; }
        };
    }

    // ---- the traffic: who sent what, and what came back ----

    /**
     * One second of the flash sale, starting {@code offset} after noon: bargain-bot fires 40 requests at once,
     * then web-shop and mobile-app send one request each every 200 ms, the first at 100 ms.
     */
    static Traffic flashSecond(Duration offset) throws Exception {
        var traffic = new Traffic();
        at(offset);
        traffic.burst(BOT, 40);
        for (int i = 0; i < 5; i++) {
            at(offset.plusMillis(100 + 200L * i));
            traffic.send(WEB);
            traffic.send(MOBILE);
        }
        return traffic;
    }

    /** Moves the story's clock. orders' capacity is per second: in a new second it can take 20 again. */
    static void at(Duration sinceSaleOpened) {
        Instant next = SALE_OPENS.plus(sinceSaleOpened);
        if (next.getEpochSecond() != clock.instant().getEpochSecond()) orders.server().resetScenarios();
        clock.set(next);
    }

    record Answer(int status, String retryAfter) {}

    static final class Traffic {
        private final Map<String, List<Answer>> answers = new LinkedHashMap<>();

        Answer send(String client) throws Exception {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/orders/o-1"))
                .header("X-Api-Key", client).build(), BodyHandlers.ofString());
            var answer = new Answer(response.statusCode(), response.headers().firstValue("Retry-After").orElse(""));
            answers.computeIfAbsent(client, c -> new ArrayList<>()).add(answer);
            return answer;
        }

        /** Sends {@code n} requests at the same instant of the story; returns how many were served. */
        int burst(String client, int n) throws Exception {
            int served = 0;
            for (int i = 0; i < n; i++) if (send(client).status() == 200) served++;
            return served;
        }

        int served(String client) { return count(client, 200); }

        int throttled(String client) { return count(client, 429); }

        int failed() { return answers.keySet().stream().mapToInt(c -> count(c, 503)).sum(); }

        String lastRetryAfter(String client) {
            return answers.get(client).stream().filter(a -> a.status() == 429).findFirst().map(Answer::retryAfter).orElse("(none)");
        }

        boolean everyThrottledHadRetryAfter() {
            return answers.values().stream().flatMap(List::stream).filter(a -> a.status() == 429).allMatch(a -> !a.retryAfter().isEmpty());
        }

        private int count(String client, int status) {
            return (int) answers.getOrDefault(client, List.of()).stream().filter(a -> a.status() == status).count();
        }

        void print() {
            story.say("%-12s %5s %7s %16s %14s".formatted("client", "sent", "served", "throttled (429)", "failed (503)"));
            for (String client : List.of(BOT, WEB, MOBILE)) {
                story.say("%-12s %5d %7d %16d %14d".formatted(client, answers.getOrDefault(client, List.of()).size(),
                    served(client), throttled(client), count(client, 503)));
            }
        }
    }

    /** The story's time of day, as 12:00:31.000. */
    static String now() {
        return DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC).format(clock.instant());
    }

    static String gatewayUrl() { return "http://127.0.0.1:" + gateway.port(); }
}
