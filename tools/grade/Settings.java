package grade;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a run of the grader is told, built by name:
 * {@code Settings.of(root, submissions, out).jobs(4).limits(new Limits(60, 10, 512)).build()}.
 * {@code oneStudent}: SUBMISSIONS is a single student's submission, of that name.
 */
record Settings(Path root, Path submissions, Path out, int jobs, Limits limits, Path tests, List<String> only, Shard shard,
                boolean force, boolean isolate, boolean aot, Path referenceFile, String hiddenVisibility, String oneStudent) {

    /** How long and how much: an exercise's and a test's time limit (seconds), a child JVM's heap (MB), and how much of
     *  what a student's code prints is kept per exercise (bytes). */
    record Limits(int timeout, int testTimeout, int heapMb, int outputLimit) {
        static final int OUTPUT_LIMIT = 16 * 1024;

        Limits(int timeout, int testTimeout, int heapMb) { this(timeout, testTimeout, heapMb, OUTPUT_LIMIT); }
    }

    /** Every {@code count}th student, starting with the {@code index}th (from 1), for a CI matrix. */
    record Shard(int index, int count) {
        static final Shard ALL = new Shard(1, 1);

        /** Whether the student at {@code position} (from 0) in the class's list is this shard's. */
        boolean has(int position) { return position % count == index - 1; }

        boolean isPart() { return count > 1; }

        @Override
        public String toString() { return index + "/" + count; }
    }

    static Builder of(Path root, Path submissions, Path out) { return new Builder(root, submissions, out); }

    /** The settings one by one; unset, a run grades all students and all exercises, one at a time, isolated, with the default limits. */
    static final class Builder {
        private final Path root;
        private final Path submissions;
        private final Path out;
        private int jobs = 1;
        private Limits limits = new Limits(60, 10, 512);
        private Path tests;
        private List<String> only = List.of();
        private Shard shard = Shard.ALL;
        private boolean force;
        private boolean isolate = true;
        private boolean aot = true;
        private Path referenceFile;
        private String hiddenVisibility = "after_published";
        private String oneStudent;

        private Builder(Path root, Path submissions, Path out) {
            this.root = root;
            this.submissions = submissions;
            this.out = out;
        }

        Builder jobs(int students) { jobs = students; return this; }

        Builder limits(Limits given) { limits = given; return this; }

        /** The instructor's tests (DIR/ID/*Test.java), or null for this checkout's alone. */
        Builder tests(Path dir) { tests = dir; return this; }

        Builder only(List<String> ids) { only = ids; return this; }

        Builder shard(Shard part) { shard = part; return this; }

        /** Grade every exercise again, even those an earlier run into OUT graded. */
        Builder force(boolean again) { force = again; return this; }

        /** Run the students' code in the sandbox the machine allows (false: as this user, for debugging the grader). */
        Builder isolate(boolean sandboxed) { isolate = sandboxed; return this; }

        /** Record a class-data archive while the reference runs, for the children to start from (pays from 8 students on). */
        Builder aot(boolean record) { aot = record; return this; }

        /** The reference (tests, points) recorded earlier, as in a Gradescope bundle; null to run it. */
        Builder referenceFile(Path file) { referenceFile = file; return this; }

        Builder hiddenVisibility(String when) { hiddenVisibility = when; return this; }

        Builder oneStudent(String name) { oneStudent = name; return this; }

        Settings build() {
            return new Settings(root, submissions, out, jobs, limits, tests, only, shard, force, isolate, aot, referenceFile, hiddenVisibility, oneStudent);
        }
    }
}
