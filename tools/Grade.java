///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../kit/src/kit/*.java
//SOURCES engine/*.java
//SOURCES grade/*.java
// The instructor's grader: a class of submissions, each student's code in JVMs of its own, into a gradebook,
// Gradescope results, feedback pages and JUnit XML. See README.adoc, "For instructors".

import grade.Cli;

public class Grade {
    public static void main(String[] args) {
        Cli.main(args);
    }
}
