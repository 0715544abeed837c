package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;

/** Field blocks for tests: a request's pseudo-header fields first, then the given ones. */
final class FieldLinesFixture {

    Headers request(String method, String path, String... more) {
        FieldLines lines = new FieldLines();
        lines.add(":method", method);
        lines.add(":scheme", "https");
        lines.add(":authority", "example.test");
        lines.add(":path", path);
        for (int i = 0; i < more.length; i += 2) {
            lines.add(more[i], more[i + 1]);
        }
        return lines.toHeaders();
    }
}
