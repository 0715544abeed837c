/**
 * wiretap in JUnit 5 tests: {@code WiretapExtension}. Its API names the engine's types ({@code Wiretap}, flows, rules)
 * and JUnit's, so a module that requires this one reads both.
 */
module dev.wiretap.junit {
    requires transitive dev.wiretap.proxy;
    requires transitive org.junit.jupiter.api;

    exports dev.wiretap.junit;
}
