package dev.wiretap.proxy.export;

import dev.wiretap.config.CaptureSettings;
import dev.wiretap.config.Limits;
import dev.wiretap.proxy.Wiretap;

/**
 * How much of a file wiretap takes in when it imports flows (a HAR, a session file), so that a huge or hostile file
 * cannot exhaust the memory: the same bounds a flow that passed through the proxy has. Immutable.
 *
 * @param maxBodyBytes   a body is kept up to this many bytes (the capture cap), the rest counted and noted as cut
 * @param maxHeaderCount fields of one message kept at most; the others are left out with a note
 * @param maxHeaderBytes bytes of one message's fields kept at most
 * @param maxFlowBytes   a session file's flow record larger than this is skipped (the flow store could not keep it)
 */
public record ImportLimits(int maxBodyBytes, int maxHeaderCount, int maxHeaderBytes, long maxFlowBytes) {

    /** With the default capture cap and head limits, and flows of at most {@link SessionFile#DEFAULT_MAX_FLOW_BYTES}. */
    public static final ImportLimits DEFAULTS = new ImportLimits(CaptureSettings.DEFAULTS.maxBodyBytes(),
            Limits.DEFAULTS.maxHeaderCount(), Limits.DEFAULTS.maxHeaderBytes(), SessionFile.DEFAULT_MAX_FLOW_BYTES);

    public ImportLimits {
        if (maxBodyBytes < 0 || maxHeaderCount < 0 || maxHeaderBytes < 0 || maxFlowBytes < 0) {
            throw new IllegalArgumentException("import limits must not be negative");
        }
    }

    /** The bounds of flows through {@code wiretap}: its capture cap and head limits, and its flow store's budget. */
    public static ImportLimits of(Wiretap wiretap) {
        return new ImportLimits(wiretap.settings().capture().maxBodyBytes(), wiretap.settings().limits().maxHeaderCount(),
                wiretap.settings().limits().maxHeaderBytes(), wiretap.history().budgetBytes());
    }

    /**
     * The longest JSON string a HAR reader buffers, in bytes: room for a body at the capture cap in base64 or escaped
     * text, and for the longest field value, with a margin; a multiple of four, so that base64 cut there decodes whole.
     */
    long maxStringBytes() {
        long room = Math.max(2L * maxBodyBytes, maxHeaderBytes) + 64 * 1024;
        return (room + 3) / 4 * 4;
    }
}
