package dev.wiretap.config.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Text written as a YAML scalar reads back exactly, however odd the text, in each way it can be written. */
class YamlScalarTest {

    static Stream<String> texts() {
        return Stream.of("application/json", "", " ", "null", "NULL", "~", "true", "no", "123", "0777", "1e3", "0x1F",
                "2024-01-02", "a: b", "a:b", "#x", "x #y", "- x", "-", "? x", ": x", "'quoted'", "\"dq\"", "back\\slash",
                "{json: 1}", "[1, 2]", "*alias", "&anchor", "!tag", "%percent", "@at", "`tick", "|", ">", "trailing ",
                " leading", "tab\tinside", "line\nbreak", "several\nlines\n", "kept\n\n", "kept\n\n\n", "\nstarts blank",
                " indented\nfirst", "  deep\n    deeper\n", "crlf\r\nline\r\n", "cr\r", "nul\u0000", "bell\u0007",
                "del\u007f", "nel\u0085", "ls\u2028ps\u2029", "bom\ufeff", "caf\u00e9 \u2603 \ud83d\ude00",
                "{\n  \"id\": 1,\n  \"name\": \"O'Brien \\\"x\\\"\"\n}\n", "method:GET host:a.example path:/^\\/u\\?id=1$/",
                "a\n \n b\n", "last line has spaces  \nx", "\t\ttabs first\n");
    }

    @ParameterizedTest
    @MethodSource("texts")
    void oneLineFormsReadBackExactly(String text) throws Exception {
        assertEquals(text, read(YamlScalar.of(text), 0), "written as: " + YamlScalar.of(text));
    }

    @ParameterizedTest
    @MethodSource("texts")
    void valuesUnderAKeyReadBackExactlyAtAnyIndentation(String text) throws Exception {
        for (int indent : new int[] {0, 2, 4, 6}) {
            String written = YamlScalar.value(text, indent);
            assertEquals(text, read(written, indent), "written at " + indent + " as:\n" + written);
        }
    }

    @org.junit.jupiter.api.Test
    void readableFormsWhereTheyReadBack() {
        assertEquals("application/json", YamlScalar.of("application/json"));
        assertEquals("'method:GET path:/^\\/u\\?id=1$/'", YamlScalar.of("method:GET path:/^\\/u\\?id=1$/"));
        assertEquals("\"bell\\u0007\"", YamlScalar.of("bell\u0007"));
        assertEquals("|\n      {\n        \"id\": 1\n      }", YamlScalar.value("{\n  \"id\": 1\n}\n", 4));
        assertEquals("|-\n  a\n\n  b", YamlScalar.value("a\n\nb", 0));
    }

    @ParameterizedTest
    @MethodSource("texts")
    void doubleQuotesAlwaysReadBack(String text) throws Exception {
        assertEquals(text, read(YamlScalar.doubleQuoted(text), 0));
    }

    /** Reads {@code written} as the value of a key at {@code indent} spaces, with a key after it. */
    private static String read(String written, int indent) throws ConfigError {
        String pad = " ".repeat(indent);
        String yaml = (indent == 0 ? "" : "outer:\n") + pad + "k: " + written + "\n" + pad + "after: 1\n";
        ConfigNode.Mapping map = (ConfigNode.Mapping) YamlReader.read(yaml, "test");
        if (indent > 0) {
            map = (ConfigNode.Mapping) map.entries().get("outer").value();
        }
        ConfigNode.Scalar s = (ConfigNode.Scalar) map.entries().get("k").value();
        return s.text() == null ? "" : s.text();
    }
}
