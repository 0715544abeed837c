package dev.wiretap.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A respond rule added to config files of every shape: the result loads, the new rule is the last and answers as
 * written, and every line the file had is still there, in order.
 */
class RulesBlockTest {

    @TempDir
    Path dir;

    private static final RespondRuleText RULE = new RespondRuleText("mock flow 3",
            "method:GET host:api.example.com path:/^\\/user\\?id=1\\x26x=\\x29$/", 201,
            List.of(Map.entry("Content-Type", "application/json"), Map.entry("X-Odd", "a: b #c 'd' \"e\""), Map.entry("X-Empty", "")),
            new RespondRuleText.Body.Inline("{\n  \"name\": \"O'Brien\"\n}\n"), List.of("from flow 3: GET https://api.example.com/user?id=1, 201"));

    static Stream<String> files() {
        return Stream.of(
                "",
                "listen: 127.0.0.1:9090\n",
                "# only a comment\n",
                "listen: 127.0.0.1:9090",  // no newline at the end
                """
                # my proxy
                listen: 127.0.0.1:9090
                rules:
                  # the first rule
                  - name: one
                    match: host:a.example
                    block: 403

                  - name: two   # inline comment
                    match: host:b.example
                    delay: 1s
                # about timeouts
                timeouts:
                  client_idle: 30s
                """,
                """
                rules:
                - name: at column zero
                  match: host:a.example
                  block: drop
                via: false
                """,
                "rules: []\nvia: false\n",
                "rules: ~  # none yet\n",
                "listen: 127.0.0.1:9090\r\nrules:\r\n  - match: host:a.example\r\n    block: 403\r\n");
    }

    @ParameterizedTest
    @MethodSource("files")
    void theRuleLandsLastAndTheRestOfTheFileStays(String before) throws Exception {
        int rulesBefore = load(before).size();

        String after = RulesBlock.withRule(before, RULE.yaml());

        List<Rule> rules = load(after);
        assertEquals(rulesBefore + 1, rules.size(), after);
        Rule added = rules.getLast();
        assertEquals("mock flow 3", added.name());
        assertEquals(RULE.match(), "method:GET host:api.example.com path:/^\\/user\\?id=1\\x26x=\\x29$/");
        RuleAction.Respond respond = (RuleAction.Respond) added.actions().getFirst();
        assertEquals(201, respond.status());
        assertEquals(Map.of("Content-Type", "application/json", "X-Odd", "a: b #c 'd' \"e\"", "X-Empty", ""), respond.headers());
        assertEquals(List.of("Content-Type", "X-Odd", "X-Empty"), List.copyOf(respond.headers().keySet()));
        assertEquals("{\n  \"name\": \"O'Brien\"\n}\n", new String(respond.body(), StandardCharsets.UTF_8));
        assertKeptInOrder(before, after);
    }

    @Test
    void theMatchReadsBackAsTheSameFilter() throws Exception {
        Rule added = load(RulesBlock.withRule("", RULE.yaml())).getLast();
        assertEquals(dev.wiretap.config.filter.Filter.parse(RULE.match()).toString(), added.match().toString());
    }

    @Test
    void rulesWrittenInFlowStyleAreLeftAloneWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RulesBlock.withRule("rules: [{match: host:a.example, block: 403}]\n", RULE.yaml()));
        assertTrue(e.getMessage().contains("by hand"), e.getMessage());
    }

    @Test
    void aBodyFileIsNamedRelativeToTheConfig() throws Exception {
        Files.createDirectories(dir.resolve("mocks"));
        Files.write(dir.resolve("mocks/flow-3.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0});
        RespondRuleText rule = new RespondRuleText("mock flow 3", "host:a.example", 200, List.of(Map.entry("Content-Type", "image/png")),
                new RespondRuleText.Body.File("mocks/flow-3.png"), List.of());
        RuleAction.Respond respond = (RuleAction.Respond) load(RulesBlock.withRule("", rule.yaml())).getLast().actions().getFirst();
        assertEquals(Arrays.toString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0}), Arrays.toString(respond.body()));
    }

    private List<Rule> load(String text) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return ConfigLoader.load(Optional.of(file), List.of()).settings().rules();
    }

    /** Every line of {@code before} is in {@code after}, in the same order (an inline empty list may lose its []). */
    private static void assertKeptInOrder(String before, String after) {
        List<String> rest = new ArrayList<>(List.of(after.split("\r?\n")));
        for (String line : before.split("\r?\n")) {
            String wanted = line.startsWith("rules:") ? "rules:" : line;
            int at = -1;
            for (int i = 0; i < rest.size(); i++) {
                if (rest.get(i).startsWith(wanted)) {
                    at = i;
                    break;
                }
            }
            assertTrue(at >= 0, "lost or moved: '" + line + "'\n" + after);
            rest = rest.subList(at + 1, rest.size());
        }
        if (before.contains("\r\n")) {
            assertEquals(after.split("\n").length, after.split("\r\n").length, "mixed line endings:\n" + after);
        }
    }
}
