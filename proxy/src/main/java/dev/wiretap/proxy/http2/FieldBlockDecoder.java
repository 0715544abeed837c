package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.hpack.HpackDecoder;
import org.eclipse.jetty.http2.hpack.HpackException;

/**
 * Decodes a connection's field blocks (HPACK, RFC 7541, by Jetty's decoder) into wiretap's {@link Headers}: the
 * pseudo-header fields first (in the order RFC 9113 section 8.3 lists them), then the others lower case and in order, as
 * they flowed. The text of the fields is also the message's head as wiretap shows and stores it.
 *
 * <p>Malformed messages (RFC 9113 section 8.1.1: upper-case names, connection-specific fields, pseudo-headers after
 * fields or unknown ones, CR, LF or NUL in a value) are stream errors; a block that cannot be decoded, or whose decoded
 * list is larger than the limit (an HPACK bomb stops there, before it is expanded), is a connection error: the
 * decoder's table can no longer be trusted.
 *
 * <p>Stateful (the dynamic table): one per connection, used by its reader thread alone, in frame order.
 */
final class FieldBlockDecoder {

    private final HpackDecoder hpack;

    FieldBlockDecoder(int maxHeaderListBytes) {
        this.hpack = new HpackDecoder(maxHeaderListBytes, System::nanoTime);
    }

    /** Decodes the block received on {@code streamId}. */
    FieldBlock decode(byte[] block, int streamId) throws Http2Exception {
        MetaData meta;
        try {
            meta = hpack.decode(ByteBuffer.wrap(block));
        } catch (HpackException.StreamException e) {
            throw Http2Exception.stream(streamId, ErrorCode.PROTOCOL_ERROR, "malformed header block: " + e.getMessage());
        } catch (HpackException.SessionException e) {
            String why = String.valueOf(e.getMessage());
            ErrorCode code = why.contains("size") ? ErrorCode.ENHANCE_YOUR_CALM : ErrorCode.COMPRESSION_ERROR;
            throw Http2Exception.connection(code, "header block on stream " + streamId + " refused: " + why);
        } catch (RuntimeException e) {
            throw Http2Exception.connection(ErrorCode.COMPRESSION_ERROR, "header block on stream " + streamId
                    + " could not be decoded: " + e.getMessage());
        }
        FieldLines lines = new FieldLines();
        if (meta instanceof MetaData.Request request) {
            lines.add(":method", request.getMethod());
            HttpURI uri = request.getHttpURI();
            if (!(meta instanceof MetaData.ConnectRequest) || uri.getScheme() != null) {
                addIfPresent(lines, ":scheme", uri.getScheme());
            }
            addIfPresent(lines, ":authority", uri.getAuthority());
            addIfPresent(lines, ":path", uri.getPathQuery());
            if (request.getProtocol() != null) {
                lines.add(":protocol", request.getProtocol());
            }
        } else if (meta instanceof MetaData.Response response) {
            lines.add(":status", Integer.toString(response.getStatus()));
        }
        for (HttpField field : meta.getHttpFields()) {
            String name = field.getName();
            if (isConnectionSpecific(name)) {
                throw Http2Exception.stream(streamId, ErrorCode.PROTOCOL_ERROR,
                        "connection-specific field '" + name + "' (RFC 9113 section 8.2.2)");
            }
            lines.add(name, field.getValue() == null ? "" : field.getValue());
        }
        if (!lines.isValid()) {
            throw Http2Exception.stream(streamId, ErrorCode.PROTOCOL_ERROR, "a field value holds CR, LF or NUL");
        }
        return lines.toBlock(block.length + 9);
    }

    private static void addIfPresent(FieldLines lines, String name, String value) {
        if (value != null && !value.isEmpty()) {
            lines.add(name, value);
        }
    }

    /** The fields of RFC 9113 section 8.2.2 that Jetty's decoder lets pass (it refuses Connection and TE itself). */
    static boolean isConnectionSpecific(String name) {
        return name.equalsIgnoreCase("keep-alive") || name.equalsIgnoreCase("proxy-connection")
                || name.equalsIgnoreCase("transfer-encoding") || name.equalsIgnoreCase("upgrade")
                || name.equalsIgnoreCase("connection");
    }
}
