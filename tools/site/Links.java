package site;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks every link and image of the built site: each relative href or src must name a file that exists, and each
 * #fragment an id on that page. An absolute path (/...) is an error too: it breaks the site under a sub-path.
 */
final class Links {
    private static final Pattern REF = Pattern.compile("\\s(?:href|src)=\"([^\"]*)\"");
    private static final Pattern CSS_URL = Pattern.compile("url\\(\\s*['\"]?([^'\")]+)['\"]?\\s*\\)");
    private static final Pattern ID = Pattern.compile("\\sid=\"([^\"]+)\"");

    private Links() {}

    record Result(int checked, List<String> broken) {}

    static Result check(Path out) throws IOException {
        List<Path> files;
        try (Stream<Path> all = Files.walk(out)) {
            files = all.filter(p -> p.toString().endsWith(".html") || p.toString().endsWith(".css")).sorted().toList();
        }
        Map<Path, Set<String>> ids = new HashMap<>();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher m = (file.toString().endsWith(".css") ? CSS_URL : REF).matcher(text);
            while (m.find()) {
                String ref = m.group(1).replace("&amp;", "&");
                if (ref.isEmpty() || ref.matches("(?i)(https?|mailto|data|javascript):.*")) continue;
                checked++;
                String where = out.relativize(file) + ": ";
                if (ref.startsWith("/")) {
                    broken.add(where + ref + " is an absolute path (breaks the site under a sub-path)");
                    continue;
                }
                int hash = ref.indexOf('#');
                String path = hash < 0 ? ref : ref.substring(0, hash);
                String fragment = hash < 0 ? null : URLDecoder.decode(ref.substring(hash + 1), StandardCharsets.UTF_8);
                int query = path.indexOf('?');
                if (query >= 0) path = path.substring(0, query);
                Path target = path.isEmpty() ? file : file.getParent().resolve(URLDecoder.decode(path, StandardCharsets.UTF_8)).normalize();
                if (!target.startsWith(out) || !Files.isRegularFile(target)) {
                    broken.add(where + ref + " (no such file)");
                    continue;
                }
                if (fragment != null && !fragment.isEmpty() && target.toString().endsWith(".html")
                        && !ids.computeIfAbsent(target, Links::idsOf).contains(fragment)) {
                    broken.add(where + ref + " (no id '" + fragment + "' on " + out.relativize(target) + ")");
                }
            }
        }
        return new Result(checked, broken);
    }

    private static Set<String> idsOf(Path file) {
        try {
            Set<String> ids = new HashSet<>();
            Matcher m = ID.matcher(Files.readString(file));
            while (m.find()) ids.add(m.group(1));
            return ids;
        } catch (IOException e) {
            return Set.of();
        }
    }
}
