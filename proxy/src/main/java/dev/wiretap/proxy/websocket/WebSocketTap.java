package dev.wiretap.proxy.websocket;

import dev.wiretap.proxy.flow.CloseCodes;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.HeldMessage;
import dev.wiretap.proxy.flow.WebSocketMessage;
import dev.wiretap.proxy.flow.WebSocketMessages;
import dev.wiretap.proxy.io.SpliceTap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads a WebSocket's messages both ways while the splice after its 101 relays them (side A is the client, side B the
 * server), and records them on the flow.
 *
 * <p>Two ways to relay. <b>Watching</b> (no addon holds the socket): every chunk goes on exactly as it came, in one
 * write, after its frames were read from it; the addons' message hook sees each data message once it has gone, and
 * cannot change it. <b>Holding</b> ({@code Addon.holdsWebSocketMessages}): each data message is kept back, frame by
 * frame, until it has ended; then the hook runs, and the message goes on as its original frames (unchanged), as one new
 * frame (replaced), or not at all (dropped). A message that outgrows the capture cap stops being held and goes on as it
 * comes; control frames are never held. Either way the bytes of what goes on unchanged are the bytes that came.
 *
 * <p>A frame that breaks RFC 6455 ends the socket: what came before it goes on, nothing of it; each side is sent a
 * Close with the code ({@link WebSocketViolation}) when its stream stands at a frame's boundary, then both connections
 * close, and the flow gets a note saying who broke what.
 *
 * <p>Each direction is read on its own relay thread. What they share: the message counter, the flow (thread-safe), and
 * each direction's lock, which guards writing to its receiver and whether that stream stands at a frame's boundary
 * (the other direction takes it to send a Close). A thread holds one lock at a time, and runs no hook while holding one.
 */
public final class WebSocketTap implements SpliceTap, AutoCloseable {

    /** Runs the addons' message hook (on the message's relay thread). */
    public interface MessageHook {
        void onMessage(HeldMessage message);
    }

    private final LiveFlow flow;
    private final WebSocketMessages log;
    private final int captureCap;
    private final boolean hold;
    private final MessageHook hook;
    private final Runnable progressed;
    private final AtomicBoolean droppingNoted = new AtomicBoolean();
    private final Direction fromClient;
    private final Direction fromServer;

    /**
     * @param flow            the exchange that upgraded; its {@link LiveFlow#webSocket()} log receives the messages
     * @param extensions      what the 101 agreed (it must be {@link AgreedExtensions#isReadable() readable})
     * @param captureCap      most bytes kept of each message (and the most a held message may be)
     * @param maxMessageBytes the largest message let through (larger: 1009)
     * @param hold            whether an addon holds the socket's messages
     * @param progressed      told after each message is recorded (a live view's cue), on the relay's thread
     */
    public WebSocketTap(LiveFlow flow, AgreedExtensions extensions, int captureCap, long maxMessageBytes, boolean hold,
                        MessageHook hook, Runnable progressed) {
        this.flow = flow;
        this.log = flow.webSocket().orElseThrow(() -> new IllegalArgumentException("flow " + flow.id() + " is no WebSocket"));
        this.captureCap = captureCap;
        this.hold = hold;
        this.hook = hook;
        this.progressed = progressed;
        AtomicLong indices = new AtomicLong(log.total());
        this.fromClient = new Direction(true, extensions, maxMessageBytes, indices);
        this.fromServer = new Direction(false, extensions, maxMessageBytes, indices);
    }

    @Override
    public void start(Outlet toA, Outlet toB) {
        fromServer.out = toA;
        fromClient.out = toB;
    }

    @Override
    public boolean pass(boolean fromA, ByteBuffer chunk) throws IOException {
        Direction d = fromA ? fromClient : fromServer;
        return hold ? d.passHeld(chunk) : d.passWatched(chunk);
    }

    @Override
    public void close() {
        fromClient.messages.close();
        fromServer.messages.close();
    }

    private void record(WebSocketMessage message) {
        if (log.add(message) && droppingNoted.compareAndSet(false, true)) {
            flow.addNote("older WebSocket messages were let go to stay within capture.max_messages and the capture cap;"
                    + " the flow keeps the newest");
        }
        progressed.run();
    }

    private void runHook(HeldMessage held) {
        try {
            hook.onMessage(held);
        } catch (RuntimeException e) {
            // The hook runner logs an addon's failure; the socket goes on with the message as it stands.
        }
    }

    /** One direction: its frames, its messages, and its stream towards the receiver. */
    private final class Direction implements MessageReader.Sink, FrameReader.Listener {

        final boolean client;
        final FrameReader frames;
        final MessageReader messages;
        /** Guards writing to {@link #out} and {@link #atBoundary}. */
        final ReentrantLock lock = new ReentrantLock();
        Outlet out;
        /** Whether what was written to the receiver ends at a frame's boundary (a Close may follow). */
        boolean atBoundary = true;
        /** Watching: the messages that ended in the chunk being read, recorded once it has gone on. */
        final List<WebSocketMessage> ended = new ArrayList<>();

        // Holding: what goes out at the end of this chunk, and the frames of the message kept back.
        final Bytes pending = new Bytes();
        final Bytes held = new Bytes();
        final byte[] copy = new byte[16 * 1024];
        boolean holding;
        boolean frameOpen;
        boolean frameEmitted;

        Direction(boolean client, AgreedExtensions extensions, long maxMessageBytes, AtomicLong indices) {
            this.client = client;
            this.frames = new FrameReader(client, extensions.deflate());
            this.messages = new MessageReader(client, extensions, captureCap, maxMessageBytes, indices, this);
        }

        // ---- watching ----------------------------------------------------------------------------------------

        boolean passWatched(ByteBuffer chunk) throws IOException {
            WebSocketViolation violation = null;
            lock.lock();
            try {
                try {
                    frames.read(chunk, messages);
                } catch (WebSocketViolation v) {
                    violation = v;
                    int start = frames.violationStart();
                    if (start >= 0) {
                        chunk.limit(start);
                    } else {
                        chunk.position(chunk.limit()); // some of the bad frame has gone: nothing more may follow
                    }
                    atBoundary = start >= 0;
                }
                out.write(chunk);
                if (violation == null) {
                    atBoundary = frames.isAtFrameStart();
                }
            } finally {
                lock.unlock();
            }
            for (WebSocketMessage m : ended) {
                record(m);
                if (m.type().isData()) {
                    runHook(new HeldMessage(m, false));
                }
            }
            ended.clear();
            if (violation != null) {
                violated(violation);
                return false;
            }
            return true;
        }

        // ---- holding ------------------------------------------------------------------------------------------

        boolean passHeld(ByteBuffer chunk) throws IOException {
            WebSocketViolation violation = null;
            try {
                frames.read(chunk, this);
            } catch (WebSocketViolation v) {
                violation = v;
            }
            lock.lock();
            try {
                out.write(pending.array(), 0, pending.size());
                atBoundary = !(frameOpen && frameEmitted);
            } finally {
                pending.reset();
                lock.unlock();
            }
            if (violation != null) {
                violated(violation);
                return false;
            }
            return true;
        }

        @Override
        public void header(FrameHeader header) throws WebSocketViolation {
            messages.header(header);
            frameOpen = true;
            if (!header.isControl() && header.opcode() != FrameHeader.CONTINUATION) {
                holding = true;
                held.reset();
            }
            frameEmitted = header.isControl() || !holding;
            (frameEmitted ? pending : held).write(header.wire(), 0, header.wire().length);
        }

        @Override
        public void payload(ByteBuffer chunk, int from, int to, long offset) throws WebSocketViolation {
            messages.payload(chunk, from, to, offset);
            Bytes into = frameEmitted ? pending : held;
            for (int at = from; at < to; ) {
                int n = Math.min(copy.length, to - at);
                chunk.get(at, copy, 0, n);
                into.write(copy, 0, n);
                at += n;
            }
            if (!frameEmitted && messages.messageWireSize() > captureCap) {
                // Too large to hold: what was kept goes on, and the rest of the message as it comes.
                pending.write(held.array(), 0, held.size());
                held.reset();
                holding = false;
                frameEmitted = true;
            }
        }

        @Override
        public void frameEnd() throws WebSocketViolation {
            frameOpen = false;
            messages.frameEnd(); // may end a message: see message()
        }

        // ---- messages, both ways ------------------------------------------------------------------------------

        @Override
        public void message(WebSocketMessage message) {
            if (!hold) {
                ended.add(message);
                return;
            }
            if (!message.type().isData()) {
                record(message);
                return;
            }
            if (!holding) {
                record(message);
                runHook(new HeldMessage(message, false));
                return;
            }
            holding = false;
            HeldMessage decision = new HeldMessage(message, true);
            runHook(decision);
            if (decision.isDropped()) {
                record(message);
                flow.addNote("WebSocket message " + message.index() + " (" + way(message) + ") was dropped by an addon");
            } else if (decision.replacement().isPresent()) {
                byte[] content = decision.replacement().get();
                byte[] frame = FrameWriter.frame(message.type().opcode(), content, client);
                pending.write(frame, 0, frame.length);
                record(new WebSocketMessage(message.index(), message.fromClient(), message.type(), message.time(),
                        content.length, content.length, false, content.length > captureCap
                        ? java.util.Arrays.copyOf(content, captureCap) : content, -1, ""));
                flow.addNote("WebSocket message " + message.index() + " (" + way(message) + ") was replaced by an addon");
            } else {
                pending.write(held.array(), 0, held.size());
                record(message);
            }
            held.reset();
        }

        /** Sends a Close with the violation's code on to the receiver if it can take one, and writes nothing more. */
        void closeWith(WebSocketViolation v) {
            lock.lock();
            try {
                if (atBoundary) {
                    byte[] close = FrameWriter.close(v.closeCode(), v.reason(), client);
                    out.write(close, 0, close.length);
                }
            } catch (IOException e) {
                // The receiver is gone already: it needs no Close.
            } finally {
                atBoundary = false;
                lock.unlock();
            }
        }

        private void violated(WebSocketViolation v) {
            flow.addNote("wiretap closed the WebSocket with " + v.closeCode() + " (" + CloseCodes.name(v.closeCode())
                    + "): the " + (client ? "client" : "server") + "'s frames broke the protocol: " + v.reason());
            closeWith(v);
            (this == fromClient ? fromServer : fromClient).closeWith(v);
        }
    }

    private static String way(WebSocketMessage message) {
        return message.fromClient() ? "client to server" : "server to client";
    }

    /** A byte run whose array is handed out without a copy. */
    private static final class Bytes extends ByteArrayOutputStream {
        byte[] array() {
            return buf;
        }
    }
}
