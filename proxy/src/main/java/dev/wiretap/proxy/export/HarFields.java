package dev.wiretap.proxy.export;

import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A HAR message's header fields made wiretap's {@link Headers}, in their order, with their names' case, each value one
 * character a byte as wiretap holds fields ({@link #latin1}).
 * Left out, each with a note: HTTP/2 and HTTP/3 pseudo-header fields ({@code :method}, {@code :path}, ...: the method
 * and URL say the same), a name that is not a token and a value with control characters (fields that could not have
 * flowed as HTTP/1.1), and the fields past wiretap's head limits. Stateless.
 */
final class HarFields {

    private HarFields() {
    }

    static Headers headers(HarRecord.Message message, String side, ImportLimits limits, Set<String> notes) {
        Headers headers = new Headers();
        boolean pseudo = false;
        for (String[] field : message.headers) {
            String name = field[0];
            if (name.startsWith(":")) {
                pseudo = true;
                continue;
            }
            if (name.isEmpty() || !name.chars().allMatch(FieldChars::isTchar)) {
                notes.add("a " + side + " field whose name '" + HarJson.abbreviated(name) + "' is not a token is left out");
                continue;
            }
            String value = latin1(field[1]);
            if (!value.chars().allMatch(FieldChars::isFieldValueChar)) {
                notes.add("the " + side + " field " + name + " holds control characters and is left out");
                continue;
            }
            headers.add(name, value);
        }
        if (pseudo) {
            notes.add("the " + side + "'s HTTP/2 pseudo-header fields (:method, :path, ...) are left out");
        }
        if (message.headersLeftOut > 0) {
            notes.add(message.headersLeftOut + " " + side + " fields past wiretap's limits (" + limits.maxHeaderCount()
                    + " fields, " + limits.maxHeaderBytes() + " bytes) are left out");
        }
        return headers;
    }

    /**
     * {@code text} one character a byte, as wiretap holds a field as it flowed: as it is when every character fits in a
     * byte (wiretap writes its HARs so, each byte a character), else as its bytes in UTF-8 (a browser's non-ASCII value).
     */
    static String latin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }
}
