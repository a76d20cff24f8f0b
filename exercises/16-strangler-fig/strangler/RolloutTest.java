package strangler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("16 · The rollout: which users get the new service")
class RolloutTest {
    /** 1000 made-up users, u-0001 to u-1000. */
    static final List<String> USERS = IntStream.rangeClosed(1, 1000).mapToObj("u-%04d"::formatted).toList();

    @Test
    @Points(2)
    @DisplayName("A user always lands on the same side of a rollout: the same bucket and the same decision, request after request")
    @Hint({"Read 'Who gets the new service' in the lesson's README. What would a customer see if the side came from a random number?",
           "A user must land on the same side on every request, in every JVM, after every restart. So the bucket comes from the user id and the route only, through a hash whose value a standard fixes.",
           "Last hint: CRC32 crc = new CRC32(); crc.update((route + \"/\" + userId).getBytes(StandardCharsets.UTF_8)); return (int) (crc.getValue() % 100);"})
    void sameUserSameSide() {
        for (String user : USERS.subList(0, 200)) {
            int first = Expect.returns(() -> Rollout.bucket(user, "products"), "Rollout.bucket(\"" + user + "\", \"products\") should return a number");
            boolean side = Rollout.toNewService(user, "products", 50);
            for (int again = 0; again < 5; again++) {
                int bucket = Rollout.bucket(user, "products");
                assertThat(bucket).withFailMessage("the bucket of %s for products was %d, then %d: a user must always get the same bucket for a route",
                    user, first, bucket).isEqualTo(first);
                boolean now = Rollout.toNewService(user, "products", 50);
                assertThat(now).withFailMessage("at 50 %% %s was sent to the %s service, then to the %s: a user must always land on the same side",
                    user, side ? "new" : "legacy", now ? "new" : "legacy").isEqualTo(side);
            }
        }
    }

    @Test
    @DisplayName("Buckets run from 0 to 99, every one of them used, and are spread evenly: every tenth of them holds about a tenth of 1000 users")
    @Hint({"Can your hash be negative? What is -137 % 100 in Java?",
           "Buckets run from 0 to 99. A hash read as a signed int can be negative, and % keeps the sign, so a bucket could be -37.",
           "Last hint: CRC32.getValue() is a long from 0 to 2^32 - 1, never negative: getValue() % 100. With SHA-256 bytes, use Math.floorMod, or mask the sign off."})
    void bucketsInRange() {
        int[] tenths = new int[10];
        for (String user : USERS) {
            int bucket = Expect.returns(() -> Rollout.bucket(user, "products"), "Rollout.bucket(\"" + user + "\", \"products\") should return a number");
            assertThat(bucket).withFailMessage("the bucket of %s for products was %d; a bucket is a number from 0 to 99", user, bucket).isBetween(0, 99);
            tenths[bucket / 10]++;
        }
        for (int tenth = 0; tenth < 10; tenth++) {
            assertThat(tenths[tenth]).withFailMessage("buckets %d to %d hold %d of 1000 users; a good hash puts about 100 in each tenth (60 to 140 here)",
                tenth * 10, tenth * 10 + 9, tenths[tenth]).isBetween(60, 140);
        }
        // 5000 users leave a bucket of a good hash empty about once in 10^20 tries: an empty one is never used.
        var used = new TreeSet<Integer>();
        IntStream.rangeClosed(1, 5000).forEach(n -> used.add(Rollout.bucket("user-" + n, "carts")));
        var unused = IntStream.range(0, 100).filter(b -> !used.contains(b)).boxed().toList();
        assertThat(unused).withFailMessage("of 5000 users, none got the buckets %s for carts: every bucket from 0 to 99 should be used", unused).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("A 25 % rollout sends between 21 % and 29 % of 1000 users to the new service, and a 70 % rollout between 65 % and 75 %")
    @Hint({"At 25 %, count the users whose bucket is below 25. Far more than a quarter? ('Who gets the new service' in the lesson's README.)",
           "A rollout of n % gives the new service to the buckets below n. The share is right when the buckets are spread evenly over 0 to 99, none negative.",
           "Last hint: toNewService is bucket(userId, route) < percent, with bucket in 0..99 from CRC32's getValue() % 100."})
    void shareWithinTolerance() {
        long toNew = USERS.stream().filter(user -> Expect.returns(() -> Rollout.toNewService(user, "products", 25),
            "Rollout.toNewService(\"" + user + "\", \"products\", 25) should decide")).count();

        assertThat(toNew).withFailMessage("a 25 %% rollout of products sent %d of 1000 users to the new service; expected 25 %% give or take 4, so 210 to 290",
            toNew).isBetween(210L, 290L);
        long toNewCarts = USERS.stream().filter(user -> Rollout.toNewService(user, "carts", 70)).count();
        assertThat(toNewCarts).withFailMessage("a 70 %% rollout of carts sent %d of 1000 users to the new service; expected 70 %% give or take 5, so 650 to 750",
            toNewCarts).isBetween(650L, 750L);
    }

    @Test
    @Points(2)
    @DisplayName("The percent is a bucket boundary: a user stays on legacy at the percent equal to their bucket, and gets the new service one percent higher")
    @Hint({"At 10 %, which buckets get the new service? Is bucket 9 one of them? Bucket 10?",
           "percent counts buckets: at 10 % the ten buckets 0 to 9 get the new service. A user in bucket 9 gets it at 10 %, not at 9 %.",
           "Last hint: return bucket(userId, route) < percent;"})
    void percentIsABucketBoundary() {
        for (String route : List.of("products", "carts")) {
            for (String user : USERS) {
                int bucket = Expect.returns(() -> Rollout.bucket(user, route), "Rollout.bucket should return a number");
                boolean atItsBucket = Rollout.toNewService(user, route, bucket);
                boolean oneAbove = Rollout.toNewService(user, route, bucket + 1);
                assertThat(List.of(atItsBucket, oneAbove)).withFailMessage("%s is in bucket %d for %s: at %d %% they should stay on legacy and at %d %% get the "
                    + "new service, but toNewService said %s and %s", user, bucket, route, bucket, bucket + 1, atItsBucket, oneAbove)
                    .isEqualTo(List.of(false, true));
            }
        }
    }

    @Test
    @DisplayName("0 % sends nobody to the new service, and 100 % sends everybody")
    @Hint({"At 0 %, may a user in bucket 0 see the new service? At 100 %, may a user in bucket 99?",
           "At 0 % the rollout has not begun: nobody. At 100 % it is done: everybody. Buckets 0 to 99 are all below 100, and none is below 0.",
           "Last hint: compare with <, not <=: bucket(userId, route) < percent."})
    void zeroAndHundred() {
        List<String> atZero = USERS.stream().filter(user -> Expect.returns(() -> Rollout.toNewService(user, "carts", 0),
            "Rollout.toNewService(\"" + user + "\", \"carts\", 0) should decide")).toList();
        List<String> notAtHundred = USERS.stream().filter(user -> !Rollout.toNewService(user, "carts", 100)).toList();

        assertThat(atZero).withFailMessage("at 0 %% nobody should get the new carts service, but %d users did, for example %s",
            atZero.size(), atZero.stream().limit(3).toList()).isEmpty();
        assertThat(notAtHundred).withFailMessage("at 100 %% everybody should get the new carts service, but %d users did not, for example %s",
            notAtHundred.size(), notAtHundred.stream().limit(3).toList()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("Growing a rollout never sends anyone back: who had the new service at 10 % keeps it at 50 % and at 100 %")
    @Hint({"A customer has had the new product pages for a week, and the rollout grows. Can they lose them? ('Who gets the new service' in the lesson's README.)",
           "Growing a rollout never sends anyone back. The bucket depends on the user and the route only, never on the percentage; a bigger percentage just takes more buckets.",
           "Last hint: keep percent out of the hash: bucket(userId, route) from CRC32 of route + \"/\" + userId, then bucket < percent."})
    void growingKeepsUsers() {
        for (String user : USERS) {
            boolean atTen = Expect.returns(() -> Rollout.toNewService(user, "products", 10), "Rollout.toNewService should decide");
            if (!atTen) continue;
            assertThat(Rollout.toNewService(user, "products", 50)).withFailMessage(
                "%s had the new product pages at 10 %%, and lost them when the rollout grew to 50 %%", user).isTrue();
            assertThat(Rollout.toNewService(user, "products", 100)).withFailMessage(
                "%s had the new product pages at 10 %%, and lost them at 100 %%", user).isTrue();
        }
    }

    @Test
    @DisplayName("Each route picks its own users: of the 25 % who get the new products first, only about a quarter get the new carts first")
    @Hint({"If the bucket came from the user alone, who would try every new service first? ('Who gets the new service' in the lesson's README.)",
           "Each route picks its own users, so no quarter of the customers carries every new risk. A user's bucket for products says nothing about their bucket for carts.",
           "Last hint: hash the route together with the user: (route + \"/\" + userId).getBytes(StandardCharsets.UTF_8)."})
    void routesPickTheirOwnUsers() {
        long both = USERS.stream().filter(user -> Expect.returns(() -> Rollout.toNewService(user, "products", 25) && Rollout.toNewService(user, "carts", 25),
            "Rollout.toNewService should decide")).count();

        assertThat(both).withFailMessage("%d of 1000 users got the new service in both 25 %% rollouts, of products and of carts; with each route choosing "
            + "its own users about 62 would (a quarter of a quarter), and fewer than 125 must", both).isLessThan(125L);
    }
}
