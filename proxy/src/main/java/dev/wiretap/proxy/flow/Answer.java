package dev.wiretap.proxy.flow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How wiretap answers a request in the origin's place, as an addon decided (a rule's map local, respond or
 * block; a replay's recorded response). Immutable.
 */
public sealed interface Answer {

    /** A response made up whole: status, fields and body. */
    record Respond(int status, String reason, Map<String, String> headers, byte[] body) implements Answer {
        public Respond {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers)); // in the order given
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** A local file streamed as the body, with this content type. */
    record File(Path path, String contentType) implements Answer {
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(contentType, "contentType");
        }
    }

    /**
     * A recorded response served again (server replay): its status, reason and fields as they flowed (duplicates and
     * order kept), and its body as it flowed; the head goes out after {@code firstByte}, the body {@code rest} later
     * (both zero: at once). wiretap frames the body itself.
     */
    record Recorded(int status, String reason, Headers headers, byte[] body, Duration firstByte, Duration rest)
            implements Answer {
        public Recorded {
            Objects.requireNonNull(reason, "reason");
            headers = headers.copy();
            body = body.clone();
            Objects.requireNonNull(firstByte, "firstByte");
            Objects.requireNonNull(rest, "rest");
        }

        @Override
        public Headers headers() {
            return headers.copy();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** No answer at all: the client connection is dropped. */
    record Drop() implements Answer {
    }
}
