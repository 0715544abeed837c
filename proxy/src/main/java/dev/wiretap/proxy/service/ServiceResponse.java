package dev.wiretap.proxy.service;

import dev.wiretap.config.FieldChars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A service's answer: {@link Whole} (status, fields, body, sent with a Content-Length) or {@link Streamed} (status,
 * fields, and a writer that sends the body in parts as they come, chunked, until it returns or the client goes away).
 * The listener adds the framing fields ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}) itself;
 * a response must not name them. Immutable.
 */
public sealed interface ServiceResponse {

    int status();

    List<Field> fields();

    /** The same response with one more field after the others. */
    ServiceResponse with(String name, String value);

    /** A field of a response, in the order given. */
    record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || !name.chars().allMatch(FieldChars::isTchar)) {
                throw new IllegalArgumentException("'" + name + "' is not a field name");
            }
            if (!value.chars().allMatch(c -> c < 256 && FieldChars.isFieldValueChar(c))) {
                throw new IllegalArgumentException("the value of " + name + " holds a control or non-Latin-1 character");
            }
            for (String framing : List.of("Content-Length", "Transfer-Encoding", "Connection")) {
                if (name.equalsIgnoreCase(framing)) {
                    throw new IllegalArgumentException(framing + " is the listener's to set");
                }
            }
        }
    }

    /** A whole response, sent with a Content-Length (and without its body after HEAD). */
    record Whole(int status, List<Field> fields, byte[] body) implements ServiceResponse {
        public Whole {
            checkStatus(status);
            fields = List.copyOf(fields);
            Objects.requireNonNull(body, "body");
        }

        @Override
        public Whole with(String name, String value) {
            return new Whole(status, plus(fields, name, value), body);
        }
    }

    /**
     * A response whose body the {@code writer} sends in parts, each flushed as it is sent; it ends when the writer
     * returns, or fails when the client goes away (its next send throws).
     */
    record Streamed(int status, List<Field> fields, Writer writer) implements ServiceResponse {
        public Streamed {
            checkStatus(status);
            fields = List.copyOf(fields);
            Objects.requireNonNull(writer, "writer");
        }

        @Override
        public Streamed with(String name, String value) {
            return new Streamed(status, plus(fields, name, value), writer);
        }
    }

    /** Writes a streamed body; runs on the connection's thread, for as long as the stream lasts. */
    @FunctionalInterface
    interface Writer {
        void writeTo(ResponseStream stream) throws IOException;
    }

    /** A whole response with a body of {@code contentType}. */
    static Whole of(int status, String contentType, byte[] body) {
        return new Whole(status, List.of(new Field("Content-Type", contentType)), body);
    }

    /** A whole plain-text (UTF-8) response. */
    static Whole text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** A streamed response with a body of {@code contentType}. */
    static Streamed streamed(int status, String contentType, Writer writer) {
        return new Streamed(status, List.of(new Field("Content-Type", contentType)), writer);
    }

    private static void checkStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("a final status is 200 to 599, not " + status);
        }
    }

    private static List<Field> plus(List<Field> fields, String name, String value) {
        List<Field> more = new ArrayList<>(fields);
        more.add(new Field(name, value));
        return more;
    }
}
