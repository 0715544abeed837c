package dev.wiretap.proxy.export;

import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One HAR entry's values as {@link HarReader} read them, before {@link HarFlow} makes them a flow: only the fields
 * wiretap uses (the rest of an entry, Chrome's {@code _initiator} stacks and the like, is skipped unread), each string
 * bounded. Chrome's, Firefox's and wiretap's own fields are all read where each writer puts them ({@code _error} on
 * the entry or on the response; posted bytes in base64 under {@code encoding} or {@code _encoding}).
 *
 * <p>Mutable while read, then handed over; for the reading thread.
 */
final class HarRecord {

    /** Characters of a short string (a method, a status text, a note) read at most. */
    static final int SHORT = 4096;
    /** The phases of HAR 1.2's timings. */
    private static final Set<String> PHASES = Set.of("blocked", "dns", "connect", "ssl", "send", "wait", "receive");

    /** One message: version, fields and body. */
    static final class Message {
        String version = "";
        final List<String[]> headers = new ArrayList<>();
        /** Fields past the count wiretap reads. */
        int headersLeftOut;
        OptionalDouble headersSize = OptionalDouble.empty();
        OptionalDouble bodySize = OptionalDouble.empty();
        /** The body as the HAR holds it: {@code postData} or {@code content}; null when there is none. */
        Content content;
    }

    /** A body as the HAR holds it. */
    static final class Content {
        String mimeType = "";
        /** The text, or null when the HAR holds none. */
        String text;
        boolean base64;
        /** The text's length in the file when it was cut on reading (longer than wiretap reads), else -1. */
        long cutLength = -1;
        /** HAR's {@code content.size}: the decoded size. */
        OptionalDouble size = OptionalDouble.empty();
        /** A form posted as {@code params} without its {@code text}. */
        boolean paramsOnly;
    }

    final String path;
    String started = "";
    OptionalDouble time = OptionalDouble.empty();
    String method = "";
    String url = "";
    final Message request = new Message();
    OptionalDouble status = OptionalDouble.empty();
    String statusText = "";
    final Message response = new Message();
    boolean hasResponse;
    final Map<String, Double> timings = new LinkedHashMap<>();
    String serverIp = "";
    /** Chrome's {@code _error} (on the entry or the response), or wiretap's. */
    String error = "";
    /** From wiretap's own {@code _wiretap} object. */
    String client = "";
    String errorKind = "";
    String errorMessage = "";
    final List<String> notes = new ArrayList<>();
    final List<String> rules = new ArrayList<>();
    boolean reusedConnection;
    final List<String> problems = new ArrayList<>();

    HarRecord(String path) {
        this.path = path;
    }

    /**
     * Reads the entry object the parser is at.
     *
     * @param limits fields per message read at most, in count and bytes (the proxy's limits)
     */
    static HarRecord read(HarJson json, ImportLimits limits) throws IOException {
        HarRecord e = new HarRecord(json.path());
        json.object(name -> switch (name) {
            case "startedDateTime" -> {
                e.started = json.string(SHORT).orElse("");
                yield true;
            }
            case "time" -> {
                e.time = json.number();
                yield true;
            }
            case "request" -> json.object(field -> e.requestField(json, field, limits));
            case "response" -> {
                e.hasResponse = true;
                yield json.object(field -> e.responseField(json, field, limits));
            }
            case "timings" -> json.object(phase -> {
                if (!PHASES.contains(phase)) {
                    return false; // Chrome's _blocked_queueing and the like
                }
                json.number().ifPresent(ms -> e.timings.put(phase, ms));
                return true;
            });
            case "serverIPAddress" -> {
                e.serverIp = json.string(SHORT).orElse("");
                yield true;
            }
            case "_error" -> {
                e.error = json.string(SHORT).orElse("");
                yield true;
            }
            case "_wiretap" -> json.object(field -> e.wiretapField(json, field));
            default -> false;
        });
        e.problems.addAll(json.takeProblems());
        return e;
    }

    private boolean requestField(HarJson json, String name, ImportLimits limits) throws IOException {
        switch (name) {
            case "method" -> method = json.string(SHORT).orElse("");
            case "url" -> {
                url = json.string(Integer.MAX_VALUE).orElse("");
                if (json.wasCut()) {
                    json.problem("a URL of " + json.lastCutLength() + " bytes, longer than wiretap reads");
                    url = "";
                }
            }
            case "httpVersion" -> request.version = json.string(SHORT).orElse("");
            case "headers" -> headers(json, request, limits);
            case "headersSize" -> request.headersSize = json.number();
            case "bodySize" -> request.bodySize = json.number();
            case "postData" -> {
                Content content = new Content();
                request.content = content;
                return json.object(field -> contentField(json, content, field));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean responseField(HarJson json, String name, ImportLimits limits) throws IOException {
        switch (name) {
            case "status" -> status = json.number();
            case "statusText" -> statusText = json.string(SHORT).orElse("");
            case "httpVersion" -> response.version = json.string(SHORT).orElse("");
            case "headers" -> headers(json, response, limits);
            case "headersSize" -> response.headersSize = json.number();
            case "bodySize" -> response.bodySize = json.number();
            case "_error" -> error = json.string(SHORT).orElse("");
            case "content" -> {
                Content content = new Content();
                response.content = content;
                return json.object(field -> contentField(json, content, field));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static boolean contentField(HarJson json, Content content, String name) throws IOException {
        switch (name) {
            case "mimeType" -> content.mimeType = json.string(SHORT).orElse("");
            case "text" -> {
                content.text = json.string(Integer.MAX_VALUE).orElse(null);
                content.cutLength = json.lastCutLength();
            }
            case "encoding", "_encoding" -> content.base64 = json.string(SHORT).map("base64"::equalsIgnoreCase).orElse(false);
            case "size" -> content.size = json.number();
            case "params" -> {
                content.paramsOnly = content.text == null && json.parser().currentToken() == JsonToken.START_ARRAY;
                return false;
            }
            default -> {
                return false;
            }
        }
        if (content.text != null) {
            content.paramsOnly = false;
        }
        return true;
    }

    /** The fields of a message, as many as fit in {@code limits}' count and bytes; the others counted as left out. */
    private static void headers(HarJson json, Message message, ImportLimits limits) throws IOException {
        message.headers.clear(); // a second "headers" in one message replaces the first, as a JSON reader would
        message.headersLeftOut = 0;
        long[] bytes = {0};
        int skipped = json.array(limits.maxHeaderCount(), () -> {
            String[] field = {null, ""};
            json.object(part -> {
                switch (part) {
                    case "name" -> field[0] = json.string(SHORT).orElse(null);
                    case "value" -> field[1] = json.string(limits.maxHeaderBytes()).orElse("");
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            if (field[0] == null) {
                json.problem("a header field without a name; left out");
                return;
            }
            bytes[0] += field[0].length() + field[1].length() + 4;
            if (bytes[0] > limits.maxHeaderBytes()) {
                message.headersLeftOut++;
            } else {
                message.headers.add(field);
            }
        });
        message.headersLeftOut += Math.max(0, skipped);
    }

    private boolean wiretapField(HarJson json, String name) throws IOException {
        switch (name) {
            case "client" -> client = json.string(SHORT).orElse("");
            case "error" -> {
                return json.object(part -> {
                    switch (part) {
                        case "kind" -> errorKind = json.string(SHORT).orElse("");
                        case "message" -> errorMessage = json.string(SHORT).orElse("");
                        default -> {
                            return false;
                        }
                    }
                    return true;
                });
            }
            case "notes" -> {
                notes.clear();
                json.array(64, () -> json.string(SHORT).ifPresent(notes::add));
            }
            case "rules" -> {
                rules.clear();
                json.array(64, () -> json.string(SHORT).ifPresent(rules::add));
            }
            case "reusedConnection" -> reusedConnection = json.bool();
            default -> {
                return false;
            }
        }
        return true;
    }
}
