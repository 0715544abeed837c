package dev.wiretap.proxy.content;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A protobuf message read without its schema (the encoding of protobuf's documentation, "Message Structure"): each
 * field's number, wire type and value, a length-delimited value shown as text when it is printable UTF-8, as a message
 * when it reads as one, else as hex. What {@code protoc --decode_raw} shows. Stateless.
 */
final class ProtobufFields {

    /** The wire types (0 varint, 1 i64, 2 len, 5 i32; 3 and 4 are the deprecated groups, refused). */
    public enum WireType { VARINT, I64, LEN, SGROUP, EGROUP, I32 }

    /** One field: {@code value} is a Long (VARINT, I64), an Integer (I32) or a byte[] (LEN). */
    public record Field(int number, WireType type, Object value) {
    }

    private static final int MAX_DEPTH = 8;

    private ProtobufFields() {
    }

    /** The fields of {@code bytes}, or empty when they are not a well-formed message. */
    public static Optional<List<Field>> decode(byte[] bytes) {
        List<Field> fields = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long[] read = new long[1];
        while (in.hasRemaining()) {
            if (!varint(in, read)) {
                return Optional.empty();
            }
            long key = read[0];
            if ((key >>> 3) == 0 || (key >>> 3) > 0x1fffffff) {
                return Optional.empty();
            }
            int number = (int) (key >>> 3);
            int type = (int) (key & 7);
            switch (type) {
                case 0 -> {
                    if (!varint(in, read)) {
                        return Optional.empty();
                    }
                    fields.add(new Field(number, WireType.VARINT, read[0]));
                }
                case 1 -> {
                    if (in.remaining() < 8) {
                        return Optional.empty();
                    }
                    fields.add(new Field(number, WireType.I64, Long.reverseBytes(in.getLong())));
                }
                case 2 -> {
                    if (!varint(in, read)) {
                        return Optional.empty();
                    }
                    long length = read[0];
                    if (length < 0 || length > in.remaining()) {
                        return Optional.empty();
                    }
                    byte[] value = new byte[(int) length];
                    in.get(value);
                    fields.add(new Field(number, WireType.LEN, value));
                }
                case 5 -> {
                    if (in.remaining() < 4) {
                        return Optional.empty();
                    }
                    fields.add(new Field(number, WireType.I32, Integer.reverseBytes(in.getInt())));
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(fields);
    }

    /** The fields as lines, {@code "1: 150"}, nested messages indented under {@code "3 {"}. */
    public static List<String> lines(List<Field> fields) {
        List<String> out = new ArrayList<>();
        render(fields, "", 0, out);
        return out;
    }

    private static void render(List<Field> fields, String indent, int depth, List<String> out) {
        for (Field f : fields) {
            String head = indent + f.number() + ": ";
            switch (f.type()) {
                case VARINT -> out.add(head + Long.toUnsignedString((Long) f.value()) + "  (varint)");
                case I64 -> out.add(head + f.value() + "  (i64, as double " + Double.longBitsToDouble((Long) f.value()) + ")");
                case I32 -> out.add(head + f.value() + "  (i32, as float " + Float.intBitsToFloat((Integer) f.value()) + ")");
                case LEN -> renderLen(f, (byte[]) f.value(), indent, depth, out);
                default -> out.add(head + "?");
            }
        }
    }

    private static void renderLen(Field f, byte[] value, String indent, int depth, List<String> out) {
        Optional<String> text = printable(value);
        if (text.isPresent()) {
            out.add(indent + f.number() + ": \"" + text.get() + "\"");
            return;
        }
        Optional<List<Field>> nested = depth < MAX_DEPTH && value.length > 0 ? decode(value) : Optional.empty();
        if (nested.isPresent()) {
            out.add(indent + f.number() + " {");
            render(nested.get(), indent + "  ", depth + 1, out);
            out.add(indent + "}");
            return;
        }
        out.add(indent + f.number() + ": 0x" + HexFormat.of().formatHex(value) + "  (" + value.length + " bytes)");
    }

    /** The bytes as text when they are UTF-8 without controls (tabs and line breaks escaped), else empty. */
    private static Optional<String> printable(byte[] value) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (Character.isISOControl(c)) {
                        return Optional.empty();
                    }
                    sb.append(c);
                }
            }
        }
        return Optional.of(sb.toString());
    }

    /** Reads a base-128 varint into {@code out[0]}; false when it runs past the end or over ten bytes. */
    private static boolean varint(ByteBuffer in, long[] out) {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!in.hasRemaining()) {
                return false;
            }
            byte b = in.get();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                out[0] = result;
                return true;
            }
        }
        return false;
    }
}
