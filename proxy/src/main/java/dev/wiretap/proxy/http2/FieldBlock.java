package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;

/**
 * A decoded header block: its fields (pseudo-header fields first) and their text ({@code name: value} lines), which
 * the fields share and which stands as the message's head as it flowed ({@code Request.wireHead}). {@code wireBytes}
 * is what the block took on the wire, compressed, with its frame headers.
 */
public record FieldBlock(Headers fields, byte[] text, int wireBytes) {
}
