///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto
// `./jbang site`, run from the repository's root, names this folder, and JBang runs a folder's main.java before it
// looks for the catalog's alias "site". JBang runs this file from a copy in its cache, where //SOURCES paths cannot
// reach tools/, so it hands over to the site's builder, tools/Site.java, as a child process with the same arguments.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class main {
    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !(Files.isRegularFile(root.resolve("jbang-catalog.json")) && Files.isDirectory(root.resolve("kit")))) {
            root = root.getParent();
        }
        if (root == null) {
            System.err.println("site: cannot find the workbook's folder (the one with jbang-catalog.json): run from inside it");
            System.exit(2);
        }
        List<String> command = new ArrayList<>(List.of(root.resolve("jbang").toString(), root.resolve("tools/Site.java").toString()));
        command.addAll(List.of(args));
        Process site = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(site::destroy));
        System.exit(site.waitFor());
    }
}
