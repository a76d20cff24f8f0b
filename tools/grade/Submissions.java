package grade;

import engine.Sources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import kit.Course;

/**
 * A class's submissions: each folder or .zip in SUBMISSIONS is one student, named by its name without .zip.
 * A student's exercise folders are found under exercises/, at the top, or under a single root folder (as a zip
 * of a whole folder has). Only the .java files the student wrote are taken, never their test files (grading
 * uses the instructor's), never a link, never a zip entry that would land outside the folder it is unpacked in.
 */
final class Submissions {
    /** One student's submission, as found: a folder or a zip. */
    record Submission(String name, Path origin, boolean zip) {}

    /** What was taken from a submission: per exercise, its files' digest (null when absent), and notes. */
    record Taken(Map<String, String> digests, List<String> notes) {}

    /** A source file larger than this is no one's homework. */
    static final long MAX_FILE = 1_000_000;
    /** Bytes taken from one submission (a zip's, inflated, oversized entries included): far above any real one. */
    static final long MAX_TOTAL = 20_000_000;
    /** Zip entries looked at: a real submission has a few hundred at most. */
    static final int MAX_ENTRIES = 5_000;
    /** Names of the grader's own files in OUT: a student folder of that name would take their place. */
    static final Set<String> RESERVED = Set.of("gradebook.csv", "summary.html");

    private Submissions() {}

    static List<Submission> list(Path dir, List<String> warnings) {
        Map<String, Submission> found = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList()) {
                String file = p.getFileName().toString();
                if (file.startsWith(".") || file.startsWith("__MACOSX")) continue;
                if (Files.isDirectory(p)) found.put(file, new Submission(file, p, false));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList()) {
                String file = p.getFileName().toString();
                if (file.startsWith(".") || !file.toLowerCase().endsWith(".zip") || !Files.isRegularFile(p)) continue;
                String name = file.substring(0, file.length() - 4);
                if (found.containsKey(name)) warnings.add("both " + name + "/ and " + file + " are there: grading the folder");
                else found.put(name, new Submission(name, p, true));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : List.copyOf(found.keySet())) {
            if (!RESERVED.contains(name.toLowerCase(Locale.ROOT))) continue;
            found.remove(name);
            warnings.add("the submission '" + name + "' was not graded: " + name + " is the name of one of the grader's own files in OUT; rename it to grade it");
        }
        return found.values().stream().sorted(Comparator.comparing(Submission::name)).toList();
    }

    /**
     * Copies the student's .java files of each exercise into {@code src/ID}, unpacking a zip into {@code scratch}
     * first. Test files are left out; so are links, files over 1 MB, and anything outside the exercises' folders.
     */
    static Taken take(Submission s, List<Course.Lesson> exercises, Path scratch, Path src) throws IOException {
        List<String> notes = new ArrayList<>();
        Path base = s.origin();
        if (s.zip()) {
            base = Files.createDirectories(scratch.resolve("unzipped"));
            unzip(s.origin(), base, notes);
        }
        Path top = findTop(base, exercises);
        Map<String, String> digests = new LinkedHashMap<>();
        int ignoredTests = 0;
        long taken = 0;
        for (Course.Lesson lesson : exercises) {
            Path dir = exerciseFolder(top, lesson);
            if (dir == null) {
                digests.put(lesson.id(), null);
                continue;
            }
            Path target = Files.createDirectories(src.resolve(lesson.id()));
            List<Path> copies = new ArrayList<>();
            for (Path f : Files2.javaFiles(dir)) {   // flat (older clones) or in package folders: taken flat
                String name = f.getFileName().toString();
                if (Sources.isTest(name)) {
                    ignoredTests++;
                    continue;
                }
                if (Files.exists(target.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                    notes.add(lesson.id() + "/" + dir.relativize(f) + " was left out: the submission has another " + name + " in that exercise");
                    continue;
                }
                long size = Files.size(f);
                if (size > MAX_FILE) {
                    notes.add(lesson.id() + "/" + name + " is over 1 MB and was left out");
                    continue;
                }
                if (taken + size > MAX_TOTAL) {
                    if (taken <= MAX_TOTAL) notes.add("the submission holds more than " + MAX_TOTAL / 1_000_000 + " MB of Java; " + lesson.id() + "/" + name + " and the files after it were left out");
                    taken = MAX_TOTAL + 1;
                    continue;
                }
                taken += size;
                Path copy = target.resolve(name);
                Files.copy(f, copy);
                copies.add(copy);
            }
            if (Files.isDirectory(dir) && hasLinks(dir)) notes.add(lesson.id() + ": links in the submission were not followed");
            MessageDigest md = Files2.sha256();
            Files2.digest(md, copies);
            digests.put(lesson.id(), Files2.hex(md));
        }
        if (ignoredTests > 0) notes.add(ignoredTests + " test file(s) in the submission were ignored: grading uses the instructor's tests");
        return new Taken(digests, notes);
    }

    /** Where the exercise folders are: under exercises/, at the top, or inside one single root folder. */
    private static Path findTop(Path base, List<Course.Lesson> exercises) throws IOException {
        Path here = base;
        for (int depth = 0; depth < 3; depth++) {
            if (Files.isDirectory(here.resolve("exercises"), LinkOption.NOFOLLOW_LINKS)) return here.resolve("exercises");
            for (Course.Lesson l : exercises) if (exerciseFolder(here, l) != null) return here;
            List<Path> dirs;
            try (Stream<Path> s = Files.list(here)) {
                dirs = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().equals("__MACOSX")).toList();
            }
            if (dirs.size() != 1) return here;
            here = dirs.get(0);
        }
        return here;
    }

    /** The student's folder for an exercise: named by its id, number or slug. */
    private static Path exerciseFolder(Path top, Course.Lesson lesson) {
        for (String name : List.of(lesson.id(), lesson.number2(), lesson.slug())) {
            Path p = top.resolve(name);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return p;
        }
        return null;
    }

    private static boolean hasLinks(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, 8)) {   // Files.walk follows no link; 8 as deep as the files taken
            return s.anyMatch(Files::isSymbolicLink);
        }
    }

    /**
     * Unpacks the .java files of a zip. An entry whose name would put it outside {@code into} (an absolute
     * path, or one climbing out with ..: the "zip slip") is refused and noted; so are links and oversized files.
     * A zip bomb costs at most {@link #MAX_ENTRIES} entries and {@link #MAX_TOTAL} inflated bytes: unpacking stops
     * there, with one note.
     */
    static void unzip(Path zip, Path into, List<String> notes) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        long inflated = 0;
        int count = 0;
        int refused = 0;
        boolean stopped = false;
        List<String> oversized = new ArrayList<>();
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            var entries = zf.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (++count > MAX_ENTRIES) {
                    notes.add("the zip has " + zf.size() + " entries; unpacking stopped after " + MAX_ENTRIES + " (a real submission has a few hundred)");
                    stopped = true;
                    break;
                }
                String name = e.getName().replace('\\', '/');
                Path target = root.resolve(name).normalize();
                if (name.startsWith("/") || name.matches("^[A-Za-z]:.*") || !target.startsWith(root) || target.equals(root)) {
                    if (refused++ < 5) notes.add("refused zip entry '" + name + "': it would land outside the folder it is unpacked in");
                    continue;
                }
                if (e.isDirectory() || !name.endsWith(".java")) continue;
                // A link stored in a zip comes out of java.util.zip as a regular file holding the link's text: harmless.
                try (InputStream in = zf.getInputStream(e)) {
                    byte[] bytes = in.readNBytes((int) Math.min(MAX_FILE + 1, MAX_TOTAL - inflated + 1));
                    inflated += bytes.length;
                    if (inflated > MAX_TOTAL) {
                        notes.add("the zip unpacks to more than " + MAX_TOTAL / 1_000_000 + " MB of Java; unpacking stopped there");
                        stopped = true;
                        break;
                    }
                    if (bytes.length > MAX_FILE) {
                        oversized.add(name);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) Files.write(target, bytes);
                } catch (ZipException | FileSystemException bad) {
                    notes.add("zip entry '" + name + "' could not be unpacked (" + bad.getMessage() + ")");
                }
            }
        } catch (ZipException e) {
            notes.add(zip.getFileName() + " is not a readable zip (" + e.getMessage() + ")");
        }
        if (refused > 5) notes.add((refused - 5) + " more zip entries refused for the same reason");
        if (!oversized.isEmpty() && !stopped) {
            notes.add(oversized.size() + " zip entr" + (oversized.size() == 1 ? "y" : "ies") + " over 1 MB left out: '" + oversized.get(0) + "'"
                + (oversized.size() > 1 ? " and others" : ""));
        }
    }
}
