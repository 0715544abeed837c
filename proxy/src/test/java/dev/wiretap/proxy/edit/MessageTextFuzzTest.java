package dev.wiretap.proxy.edit;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.Limits;
import dev.wiretap.config.testing.AllocationLimit;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: edited message text read back ({@link HttpMessageText#parseRequest}, {@link HttpMessageText#parseResponse}),
 * what the user's editor hands back from the console's {@code edit} and {@code replay} and the web UI's intercept. Any
 * text must give an edited request or response, or a {@link MessageTextException} naming a line of the text (or 0 for
 * the message as a whole); the body is encoded again as its Content-Encoding and Content-Type say, so the encoders are
 * reached too. Seeds: requests and responses as {@code HttpMessageText} writes them, with LF and CRLF line ends, a
 * compressed body, a placeholder line.
 */
class MessageTextFuzzTest {

    private static final HttpMessageText TEXT = new HttpMessageText(Limits.DEFAULTS);
    private static final AllocationLimit LIMIT = new AllocationLimit(4 << 20, 1024);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyEditedTextAsAMessageOrAFaultWithItsLine(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        long lines = text.chars().filter(c -> c == '\n').count() + 1;
        LIMIT.check(input.length, () -> {
            try {
                TEXT.parseRequest(text).toString();
            } catch (MessageTextException e) {
                checkLine(e, lines);
            }
            try {
                TEXT.parseResponse(text).toString();
            } catch (MessageTextException e) {
                checkLine(e, lines);
            }
        });
    }

    private static void checkLine(MessageTextException e, long lines) {
        if (e.line() < 0 || e.line() > lines + 1) {
            throw new AssertionError("line " + e.line() + " of a " + lines + "-line text: " + e.getMessage(), e);
        }
    }
}
