package dev.wiretap.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.wiretap.cli.view.TerminalText;

/**
 * String escapes for the JSON log, so that a record printed on a terminal is inert as the text log is: Jackson escapes
 * U+0000 to U+001F itself; these add every other character a terminal may act on ({@link TerminalText#actsOnTerminal}:
 * DEL, C1 controls, bidirectional formatting) as {@code \\uXXXX}, which leaves the JSON value exactly what flowed.
 * Immutable.
 */
final class JsonEscapes extends CharacterEscapes {

    private static final int[] ASCII = standardAsciiEscapesForJSON();

    static {
        ASCII[0x7F] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ASCII;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return TerminalText.actsOnTerminal(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
}
