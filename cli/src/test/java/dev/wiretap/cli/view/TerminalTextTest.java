package dev.wiretap.cli.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What of a flow's text may reach a terminal as it is: every character a terminal acts on is shown instead. */
class TerminalTextTest {

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("plain caf\u00e9 \u65e5\u672c", "plain caf\u00e9 \u65e5\u672c"),
                Arguments.of("a\u001b[2Jb", "a^[[2Jb"),
                Arguments.of("\u001b]0;title\u0007", "^[]0;title^G"),
                Arguments.of("del\u007f", "del^?"),
                Arguments.of("csi\u009b31m", "csi<U+009B>31m"),
                Arguments.of("nel\u0085 and pad\u0080", "nel<U+0085> and pad<U+0080>"),
                Arguments.of("abc\u202edef", "abc<U+202E>def"),
                Arguments.of("\u2066isolate\u2069", "<U+2066>isolate<U+2069>"),
                Arguments.of("cr\rlf\n", "cr^Mlf^J"),
                Arguments.of("a\tb", "a   b"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("texts")
    void showsEveryCharacterATerminalWouldActOn(String text, String shown) {
        assertEquals(shown, TerminalText.visible(text));
        assertTrue(TerminalText.visible(text).codePoints().noneMatch(TerminalText::actsOnTerminal));
        assertEquals(shown, TerminalText.visible(shown), "made visible twice, it stays the same");
    }

    @Test
    void keepsLineFeedsWhereTextHasLinesOfItsOwn() {
        assertEquals("one ^[[1m\ntwo", TerminalText.visibleLines("one \u001b[1m\ntwo"));
    }

    @Test
    void makesAStyledLineInertKeepingItsStyles() {
        AttributedStyle cyan = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
        AttributedString line = new AttributedStringBuilder().append("X-Evil", cyan).append(": a\u009b2J\u001bb").toAttributedString();

        AttributedString inert = TerminalText.inert(line);

        assertEquals("X-Evil: a<U+009B>2J^[b", inert.toString());
        assertEquals(cyan, inert.styleAt(0));
        assertEquals(AttributedStyle.DEFAULT, inert.styleAt(inert.length() - 1));
        assertFalse(inert.toString().codePoints().anyMatch(TerminalText::actsOnTerminal));
        AttributedString clean = new AttributedString("nothing to do", cyan);
        assertSame(clean, TerminalText.inert(clean));
    }
}
