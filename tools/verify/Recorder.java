package verify;

/** Where a check reports its outcome: one PASS or FAIL line, with what it proves. */
@FunctionalInterface
interface Recorder {
    void record(boolean ok, String what, String detail);
}
