package dev.wiretap.proxy.content;

import dev.wiretap.proxy.flow.Headers;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The messages of a gRPC body (gRPC over HTTP/2, "Length-Prefixed-Message"): each a compressed flag, a four-byte
 * length and the message, shown as protobuf fields without a schema ({@link ProtobufFields}); and the call's status
 * from its trailers ({@code grpc-status}, {@code grpc-message}, percent-decoded). Stateless.
 */
public final class GrpcMessages {

    /** One message: whether it was compressed (then shown as bytes), and its bytes. */
    public record Message(boolean compressed, byte[] bytes) {
    }

    /** The messages found, and how many bytes at the end did not make a whole one (a capture cut short). */
    public record Decoded(List<Message> messages, int leftover) {
    }

    private GrpcMessages() {
    }

    /** Whether {@code headers} say the body is gRPC ({@code application/grpc}, {@code application/grpc+proto}...). */
    public static boolean isGrpc(Headers headers) {
        return headers.first("content-type").map(t -> t.toLowerCase(Locale.ROOT).startsWith("application/grpc")
                && !t.toLowerCase(Locale.ROOT).startsWith("application/grpc-web")).orElse(false);
    }

    public static Decoded decode(byte[] body) {
        List<Message> messages = new ArrayList<>();
        int p = 0;
        while (body.length - p >= 5) {
            long length = ((body[p + 1] & 0xffL) << 24) | ((body[p + 2] & 0xff) << 16) | ((body[p + 3] & 0xff) << 8) | (body[p + 4] & 0xff);
            if (length > body.length - p - 5) {
                break;
            }
            byte[] bytes = java.util.Arrays.copyOfRange(body, p + 5, p + 5 + (int) length);
            messages.add(new Message(body[p] != 0, bytes));
            p += 5 + (int) length;
        }
        return new Decoded(messages, body.length - p);
    }

    /** The body as lines: each message's header line and its fields, indented. */
    public static List<String> lines(byte[] body) {
        Decoded decoded = decode(body);
        List<String> out = new ArrayList<>();
        int n = 1;
        for (Message m : decoded.messages()) {
            out.add("message " + n++ + " (" + m.bytes().length + " bytes" + (m.compressed() ? ", compressed" : "") + ")");
            Optional<List<ProtobufFields.Field>> fields = m.compressed() ? Optional.empty() : ProtobufFields.decode(m.bytes());
            if (fields.isPresent()) {
                ProtobufFields.lines(fields.get()).forEach(line -> out.add("  " + line));
            } else {
                out.add("  0x" + HexFormat.of().formatHex(m.bytes(), 0, Math.min(m.bytes().length, 256))
                        + (m.bytes().length > 256 ? "..." : ""));
            }
        }
        if (decoded.leftover() > 0) {
            out.add("(" + decoded.leftover() + " more bytes: the start of a message not all captured)");
        }
        return out;
    }

    /** {@code grpc-status} and {@code grpc-message} from trailers (or a trailers-only response's head), as one line. */
    public static Optional<String> status(Headers fields) {
        Optional<String> status = fields.first("grpc-status");
        if (status.isEmpty()) {
            return Optional.empty();
        }
        String message = fields.first("grpc-message").map(GrpcMessages::percentDecoded).orElse("");
        return Optional.of("grpc-status " + status.get().strip() + " " + codeName(status.get().strip())
                + (message.isEmpty() ? "" : ": " + message));
    }

    private static String codeName(String status) {
        String[] names = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
        try {
            int code = Integer.parseInt(status);
            return code >= 0 && code < names.length ? "(" + names[code] + ")" : "";
        } catch (NumberFormatException e) {
            return "";
        }
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2, "Responses"). */
    private static String percentDecoded(String value) {
        try {
            return java.net.URLDecoder.decode(value.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
