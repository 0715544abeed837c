package dev.wiretap.cli;

/** A count with its noun in the right number, for the console's and the log's messages: "1 flow", "3 flows". Stateless. */
public final class Plural {

    private Plural() {
    }

    /** {@code n} and {@code noun}, with an s unless {@code n} is 1 (the console's nouns all take an s). */
    public static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun + "s");
    }
}
