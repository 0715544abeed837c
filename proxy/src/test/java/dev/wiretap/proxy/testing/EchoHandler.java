package dev.wiretap.proxy.testing;

import java.nio.charset.StandardCharsets;

/**
 * An origin's behaviour for rule tests: answers every request on a kept-alive connection with its request line and
 * body as the body, a status taken from the path ({@code /status/404} gives 404, anything else 200), and a few fields
 * rules like to change: {@code X-Origin} (the origin's name), {@code Cache-Control} and {@code Set-Cookie}.
 */
public final class EchoHandler {

    private EchoHandler() {
    }

    public static TestOrigin.Handler named(String name) {
        return conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                byte[] body = conn.readBody(head);
                String line = Heads.startLine(head);
                String target = line.split(" ")[1];
                int at = target.indexOf("/status/");
                int status = at >= 0 ? Integer.parseInt(target.substring(at + 8, at + 11)) : 200;
                byte[] answer = (line + "\n" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                conn.write("HTTP/1.1 " + status + " Whatever\r\nContent-Type: text/plain\r\nX-Origin: " + name
                        + "\r\nCache-Control: max-age=600\r\nSet-Cookie: s=1\r\nContent-Length: " + answer.length + "\r\n\r\n");
                conn.out().write(answer);
                conn.out().flush();
            }
        };
    }
}
