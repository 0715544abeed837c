package dev.wiretap.proxy.flow;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How wiretap answers a request in the origin's place, as an addon decided (a rule's map local, respond or
 * block). Immutable.
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

    /** No answer at all: the client connection is dropped. */
    record Drop() implements Answer {
    }
}
