package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http2.hpack.HpackEncoder;

/**
 * Encodes field blocks for one connection (HPACK, RFC 7541, by Jetty's encoder): every field of the given
 * {@link Headers} in order, names lower case (RFC 9113 section 8.2). The pseudo-header fields must come first; the caller
 * puts them there.
 *
 * <p>Stateful (the dynamic table): one per connection, used under the connection's writer lock, so that blocks are
 * encoded in the order they go out.
 */
final class FieldBlockEncoder {

    private final HpackEncoder hpack = new HpackEncoder();
    private ByteBuffer buffer = ByteBuffer.allocate(4096);
    /** A smaller table the peer asked for, to be announced at the start of the next block; -1: none. */
    private int pendingTableSize = -1;

    /** The peer's SETTINGS_HEADER_TABLE_SIZE: the encoder's table never grows beyond it (nor beyond 4096). */
    void setPeerTableSize(int size) {
        int capacity = Math.min(size, 4096);
        if (capacity != hpack.getTableCapacity()) {
            hpack.setMaxTableCapacity(capacity);
            hpack.setTableCapacity(capacity);
            pendingTableSize = capacity;
        }
    }

    byte[] encode(Headers fields) {
        // A field takes at most its name and value plus a few bytes of lengths and index (Huffman is used only where
        // it is shorter): sized before encoding, the buffer never overflows half way through, with the table changed.
        long bound = 16;
        for (int i = 0; i < fields.size(); i++) {
            bound += fields.lineLength(i) + 16; // the line holds the name and the value: no strings made to size them
        }
        if (bound > buffer.capacity()) {
            buffer = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, Long.highestOneBit(bound) << 1));
        }
        buffer.clear();
        if (pendingTableSize >= 0) {
            hpack.encodeMaxDynamicTableSize(buffer, pendingTableSize);
            pendingTableSize = -1;
        }
        for (int i = 0; i < fields.size(); i++) {
            hpack.encode(buffer, new HttpField(fields.name(i).toLowerCase(Locale.ROOT), fields.value(i)));
        }
        buffer.flip();
        byte[] block = new byte[buffer.remaining()];
        buffer.get(block);
        if (buffer.capacity() > 64 * 1024) {
            buffer = ByteBuffer.allocate(4096); // a rare large block does not stay with the connection
        }
        return block;
    }
}
