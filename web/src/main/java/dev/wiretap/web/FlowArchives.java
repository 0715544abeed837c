package dev.wiretap.web;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.export.FlowFileException;
import dev.wiretap.proxy.export.FlowImport;
import dev.wiretap.proxy.export.HarWriter;
import dev.wiretap.proxy.export.SessionFile;
import dev.wiretap.proxy.service.BodyStreamException;
import dev.wiretap.proxy.service.ServiceException;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The flow store as files, on the engine's exporters as the console's {@code export har}, {@code save} and
 * {@code load} use them (docs/web-api.md):
 *
 * <ul>
 * <li>{@code GET /api/export/har?filter=}: every finished flow, or those the filter selects, as HAR 1.2
 *     ({@link HarWriter}), which Chrome's and Firefox's network panels import;</li>
 * <li>{@code GET /api/export/session}: every finished flow as a wiretap session file ({@link SessionFile});</li>
 * <li>{@code POST /api/import?name=}: a HAR or a session file, told apart by its content ({@link FlowImport}), into
 *     the store as new flows; every browser following the list then reads it again.</li>
 * </ul>
 *
 * Downloads stream a flow at a time from the store ({@code inOrder}) through the writer into the response, and an
 * upload streams from the request into the store in batches, so neither holds the store's flows or the file whole.
 * Called on the UI's connection threads.
 */
final class FlowArchives {

    /** The largest file an import takes: far more than the flow store keeps (256 MiB by default). */
    static final long DEFAULT_MAX_IMPORT_BYTES = 1L << 30;

    private static final System.Logger LOG = System.getLogger(FlowArchives.class.getName());
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Wiretap wiretap;
    private final LiveFeed feed;
    private final long maxImportBytes;

    FlowArchives(Wiretap wiretap, LiveFeed feed, long maxImportBytes) {
        this.wiretap = wiretap;
        this.feed = feed;
        this.maxImportBytes = maxImportBytes;
    }

    /** The largest file {@link #importFile} takes, in bytes. */
    long maxImportBytes() {
        return maxImportBytes;
    }

    /** {@code GET /api/export/har?filter=}: a download, written as the store is read. */
    ServiceResponse har(ServiceRequest request) throws ApiException {
        Optional<String> typed = request.query("filter").filter(t -> !t.isBlank());
        Filter filter = typed.isPresent() ? FlowsApi.parseFilter(typed.get(), "filter") : Filter.ALL;
        long evicted = wiretap.history().evictedCount();
        String comment = evicted == 0 ? "" : evicted + " earlier exchanges are not here: wiretap let them go to stay"
                + " within its flow store's memory budget";
        return download("application/json; charset=utf-8", "har", stream -> {
            try (PartedOutput out = new PartedOutput(stream)) {
                HarWriter.Summary summary = HarWriter.write(out, wiretap.history().inOrder(), filter, comment);
                // The download has begun; a flow that could not be written can only be reported here.
                summary.failures().forEach(f -> LOG.log(System.Logger.Level.WARNING, "left out of a HAR download: " + f));
            }
        });
    }

    /** {@code GET /api/export/session}: a download of every finished flow. */
    ServiceResponse session() {
        return download("application/octet-stream", "wiretap", stream -> {
            try (PartedOutput out = new PartedOutput(stream)) {
                SessionFile.write(out, wiretap.history().inOrder());
            }
        });
    }

    /**
     * {@code POST /api/import?name=FILE}: the request body is the file. Answers what was loaded: its kind, who wrote
     * it, how many flows and their new numbers, and warnings (entries skipped, a file cut short). A file that is
     * neither kind is a 400 saying why; one over the limit a 413 (by its Content-Length before anything is read, or
     * when a chunked upload passes it, saying how many flows went in before).
     */
    ServiceResponse importFile(ServiceRequest request) throws IOException, ServiceException, ApiException {
        String name = request.query("name").map(String::strip).filter(n -> !n.isEmpty())
                .map(n -> n.length() <= 200 ? n : n.substring(0, 200) + "…").orElse("the upload");
        long[] ids = {0, 0};
        int[] count = {0};
        FlowImport.Loaded loaded;
        try (InputStream in = request.bodyStream(maxImportBytes)) {
            loaded = FlowImport.load(in, name, wiretap, flow -> {
                ids[0] = ids[0] == 0 ? flow.id() : ids[0];
                ids[1] = flow.id();
                count[0]++;
            });
        } catch (FlowFileException e) {
            throw new ApiException(400, e.getMessage());
        } catch (BodyStreamException e) {
            String loadedBefore = count[0] == 0 ? "nothing was loaded"
                    : "the " + count[0] + " flows read before that point were loaded (numbered " + ids[0] + " to " + ids[1] + ")";
            throw new ApiException(e.status(), name + ": " + e.reason() + "; " + loadedBefore);
        } finally {
            if (count[0] > 0) {
                feed.reread();
            }
        }
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("format", loaded.format() == FlowImport.Format.HAR ? "har" : "session");
            g.writeStringField("description", loaded.format().description());
            FlowSummary.nullable(g, "source", loaded.source());
            g.writeNumberField("flows", loaded.flows());
            if (loaded.flows() == 0) {
                g.writeNullField("first");
                g.writeNullField("last");
            } else {
                g.writeNumberField("first", ids[0]);
                g.writeNumberField("last", ids[1]);
            }
            g.writeArrayFieldStart("warnings");
            for (String warning : loaded.warnings()) {
                g.writeString(warning);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A streamed attachment named {@code wiretap-YYYYMMDD-HHMMSS.EXT} (UTC). */
    private static ServiceResponse download(String type, String extension, ServiceResponse.Writer writer) {
        String name = "wiretap-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + "." + extension;
        return StaticAssets.secured(ServiceResponse.streamed(200, type, writer))
                .with("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .with("Content-Security-Policy", "default-src 'none'; sandbox");
    }
}
