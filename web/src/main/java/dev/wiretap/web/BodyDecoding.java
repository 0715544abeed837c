package dev.wiretap.web;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;

/**
 * How a body is made ready to be shown: its {@code Content-Encoding} undone, or not. The one seam between the UI and
 * content decoding. For now wiretap shows bodies as they flowed ({@link #AS_FLOWED}: a compressed body is named as
 * such and shown as bytes); the shared decoder (gzip, deflate, br, zstd) takes this place once the engine has it.
 */
@FunctionalInterface
interface BodyDecoding {

    /** A body as it will be shown, from the fields of its message (which name its coding). */
    ShownBody show(Headers headers, Body body);

    /** Bodies exactly as they flowed; the coding they carry is named, not undone. */
    BodyDecoding AS_FLOWED = (headers, body) -> new ShownBody(body.bytes(), contentCoding(headers), false);

    /** The message's content codings ({@code gzip}, {@code br, gzip}), or empty for none (or identity). */
    static String contentCoding(Headers headers) {
        String codings = String.join(", ", headers.all("Content-Encoding")).strip();
        return codings.equalsIgnoreCase("identity") ? "" : codings;
    }

    /**
     * A body ready to show.
     *
     * @param bytes    what to show: decoded when {@code decoded}, else as it flowed
     * @param codings  the content codings it flowed with, empty for none
     * @param decoded  whether {@code bytes} has them undone
     */
    record ShownBody(byte[] bytes, String codings, boolean decoded) {
        /** Whether the bytes shown still carry a coding, so that what they hold cannot be read from them. */
        boolean isStillEncoded() {
            return !codings.isEmpty() && !decoded;
        }
    }
}
