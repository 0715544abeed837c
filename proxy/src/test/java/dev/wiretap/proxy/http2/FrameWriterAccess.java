package dev.wiretap.proxy.http2;

import java.io.IOException;

/** Lets tests write any frame, rules broken or not, through a connection's writer. */
final class FrameWriterAccess {

    private FrameWriterAccess() {
    }

    static void write(FrameWriter writer, Frame f) throws IOException {
        writer.raw(f.type(), f.flags(), f.streamId(), f.payload());
    }
}
