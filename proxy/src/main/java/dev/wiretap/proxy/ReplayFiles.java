package dev.wiretap.proxy;

import dev.wiretap.config.ReplaySettings;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.addon.RecordedExchanges;
import dev.wiretap.proxy.export.FlowImport;
import dev.wiretap.proxy.export.ImportLimits;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the file a server replay serves (a HAR or a session file, told apart by content) into its index, within the
 * bounds a flow through the proxy has: bodies up to the capture cap, heads within the head limits, and all the recorded
 * bodies together within the flow store's budget. Runs on the caller's thread (the start, or a test's
 * {@code replayFrom}). Stateless.
 */
final class ReplayFiles {

    private ReplayFiles() {
    }

    /**
     * @throws IOException if the file cannot be read, is neither kind, or records more than the budget holds; the
     *                     message names the file and says why
     */
    static RecordedExchanges read(ReplaySettings replay, Settings settings) throws IOException {
        Path file = replay.from().orElseThrow(() -> new IllegalArgumentException("no file to replay from"));
        long budget = settings.capture().storeBudgetBytes();
        ImportLimits limits = new ImportLimits(settings.capture().maxBodyBytes(), settings.limits().maxHeaderCount(),
                settings.limits().maxHeaderBytes(), budget);
        RecordedExchanges.Builder recorded = RecordedExchanges.builder(file.toString(), replay.matchBody(), budget);
        FlowImport.Loaded loaded;
        try {
            loaded = FlowImport.read(file, limits, recorded::add);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e); // more than the budget: said in the builder's words
        }
        recorded.warn(loaded.warnings());
        return recorded.build();
    }
}
