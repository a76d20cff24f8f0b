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
    @Hint({"If the side came from a random number, a customer would flip between the old and the new product page on every click.",
           "Compute the bucket from the user id and the route only: new CRC32(), update it with (route + \"/\" + userId).getBytes(UTF_8), and take getValue() % 100.",
           "The lesson's README, section 'Who gets the new service'."})
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
    @Hint({"A hash can be negative when you read it as a signed int; % keeps the sign, so a bucket could be -37.",
           "CRC32.getValue() is a long from 0 to 2^32 - 1, never negative: getValue() % 100. With SHA-256 bytes, use Math.floorMod, or mask the sign off.",
           "The lesson's README, section 'Who gets the new service'."})
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
    @Hint({"Count the users whose bucket is below the percentage. If far more than a quarter get the new service, look for negative buckets.",
           "toNewService is bucket(userId, route) < percent. The share is right when the buckets are spread evenly over 0 to 99.",
           "The lesson's README, section 'Who gets the new service'."})
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
    @Hint({"percent counts buckets: at 10 % the ten buckets 0 to 9 get the new service. A user in bucket 9 gets it at 10 %, not at 9 %.",
           "toNewService is true exactly when bucket(userId, route) is below percent: strictly below, from the same bucket() that a test can ask for.",
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
    @Hint({"At 0 % the rollout has not begun: not even the users in bucket 0 may see the new service.",
           "Compare with <, not <=: buckets 0 to 99 are all below 100, and none is below 0.",
           "The lesson's README, section 'Who gets the new service'."})
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
    @Hint({"A customer who has used the new product pages for a week should not be moved back to the old ones because the rollout grew.",
           "Keep the percentage out of the hash: the bucket depends on user and route only, and the new service gets the buckets below the percentage.",
           "The lesson's README, section 'Who gets the new service'."})
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
    @Hint({"If the bucket came from the user alone, the same quarter of the customers would try every new service first, and carry every new risk.",
           "Hash the route together with the user: (route + \"/\" + userId). Then a user's bucket for products says nothing about their bucket for carts.",
           "The lesson's README, section 'Who gets the new service'."})
    void routesPickTheirOwnUsers() {
        long both = USERS.stream().filter(user -> Expect.returns(() -> Rollout.toNewService(user, "products", 25) && Rollout.toNewService(user, "carts", 25),
            "Rollout.toNewService should decide")).count();

        assertThat(both).withFailMessage("%d of 1000 users got the new service in both 25 %% rollouts, of products and of carts; with each route choosing "
            + "its own users about 62 would (a quarter of a quarter), and fewer than 125 must", both).isLessThan(125L);
    }
}
