package kit;

/** ANSI styles that fall back to plain text where colour is off. */
public final class Style {
    private static final boolean ON = Terminal.colour();

    private Style() {}

    public static String bold(String s) { return wrap("1", s); }
    public static String dim(String s) { return wrap("2", s); }
    public static String red(String s) { return wrap("31", s); }
    public static String green(String s) { return wrap("32", s); }
    public static String yellow(String s) { return wrap("33", s); }
    public static String blue(String s) { return wrap("34", s); }
    public static String cyan(String s) { return wrap("36", s); }

    private static String wrap(String code, String s) {
        return ON ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
