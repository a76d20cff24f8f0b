package site;

/**
 * One page of the site. {@code file} is its name in the output folder (the site is flat: every page sits next to
 * index.html, so relative links work the same from file://, from a server's root and from a sub-path).
 */
record Page(String file, String title, String kind, String description, String content, String prev, String next) {
    Page withContent(String content) { return new Page(file, title, kind, description, content, prev, next); }

    Page withNeighbours(String prev, String next) { return new Page(file, title, kind, description, content, prev, next); }
}
