package dev.wiretap.proxy.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Headers;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gRPC bodies as bytes in, lines out: length-prefixed messages, protobuf fields without a schema, the call's status. */
class GrpcMessagesTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void readsEachMessageAsProtobufFieldsWithNestingAndEveryWireType() {
        // field 1 varint 150; field 2 "hi"; field 3 a message {1: 1}; field 4 fixed64 1.0; field 5 fixed32 1.0f
        byte[] message = hex("08 9601 12 02 6869 1a 02 0801 21 000000000000f03f 2d 0000803f");
        byte[] body = new byte[5 + message.length];
        body[4] = (byte) message.length;
        System.arraycopy(message, 0, body, 5, message.length);
        assertEquals(List.of("message 1 (25 bytes)", "  1: 150  (varint)", "  2: \"hi\"", "  3 {", "    1: 1  (varint)",
                "  }", "  4: 4607182418800017408  (i64, as double 1.0)", "  5: 1065353216  (i32, as float 1.0)"),
                GrpcMessages.lines(body));
    }

    @Test
    void bytesThatAreNoMessageShowAsHexAndACutOffMessageIsSaid() {
        byte[] body = hex("00 00000002 ffff 00 00000009 08");
        assertEquals(List.of("message 1 (2 bytes)", "  0xffff", "(6 more bytes: the start of a message not all captured)"),
                GrpcMessages.lines(body));
    }

    @Test
    void theStatusComesFromTrailersPercentDecoded() {
        assertEquals("grpc-status 5 (NOT_FOUND): no such thing: 100% gone",
                GrpcMessages.status(Headers.of("grpc-status", "5", "grpc-message", "no such thing: 100%25 gone")).orElseThrow());
        assertTrue(GrpcMessages.status(Headers.of("x", "y")).isEmpty());
        assertTrue(GrpcMessages.isGrpc(Headers.of("content-type", "application/grpc+proto")));
        assertTrue(!GrpcMessages.isGrpc(Headers.of("content-type", "application/grpc-web")));
    }
}
