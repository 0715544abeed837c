package dev.wiretap.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A real origin that answers with content-coded bodies, as most browser traffic is: {@code GET /coded/CODINGS} (e.g.
 * {@code /coded/gzip}, {@code /coded/br}, {@code /coded/gzip,br}) answers {@link #JSON} encoded with those codings by
 * the real encoders ({@link Encodings}) under a matching Content-Encoding; {@code /bomb} answers gzip of 40 MiB of
 * spaces followed by {@link #NEEDLE}; any other path answers {@link #PLAIN}, uncoded. Requests are read whole and
 * connections kept alive.
 */
public final class CodedOrigin {

    public static final String NEEDLE = "needle";
    /** The JSON the coded routes carry: it holds {@link #NEEDLE} and a name to edit, {@code Ada}. */
    public static final String JSON = "{\"user\": {\"name\": \"Ada\"}, \"found\": \"a " + NEEDLE + " in the haystack\", \"pad\": \""
            + "hay ".repeat(200) + "\"}";
    /** What the other paths carry: no needle in it. */
    public static final String PLAIN = "just hay\n";
    /** How far into the bomb's decoded body the needle is. */
    public static final int BOMB_PADDING = 40 << 20;

    private CodedOrigin() {
    }

    /** Made once, on first use. */
    private static final class Bomb {
        static final byte[] GZIP = bomb();
    }

    public static TestOrigin start() throws IOException {
        return TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                if (path.startsWith("/coded/")) {
                    String codings = path.substring("/coded/".length());
                    answer(conn, encode(codings, JSON.getBytes(StandardCharsets.UTF_8)), "Content-Type: application/json",
                            "Content-Encoding: " + codings.replace(",", ", "));
                } else if (path.equals("/bomb")) {
                    answer(conn, Bomb.GZIP, "Content-Type: text/plain", "Content-Encoding: gzip");
                } else {
                    answer(conn, PLAIN.getBytes(StandardCharsets.UTF_8), "Content-Type: text/plain");
                }
            }
        });
    }

    /** {@code data} with the comma-separated {@code codings} applied in order, by the real encoders. */
    public static byte[] encode(String codings, byte[] data) {
        byte[] bytes = data;
        for (String coding : List.of(codings.split(","))) {
            bytes = Encodings.encode(coding.strip(), bytes);
        }
        return bytes;
    }

    private static byte[] bomb() {
        byte[] spaces = new byte[BOMB_PADDING + NEEDLE.length()];
        Arrays.fill(spaces, (byte) ' ');
        System.arraycopy(NEEDLE.getBytes(StandardCharsets.US_ASCII), 0, spaces, BOMB_PADDING, NEEDLE.length());
        return Encodings.encode("gzip", spaces);
    }

    private static void answer(TestOrigin.Conn conn, byte[] body, String... fields) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 256);
        StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String field : fields) {
            head.append(field).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        conn.out().write(out.toByteArray());
        conn.out().flush();
    }
}
