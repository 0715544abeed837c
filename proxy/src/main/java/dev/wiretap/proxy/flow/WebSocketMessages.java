package dev.wiretap.proxy.flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages of one WebSocket, as its flow keeps them: the newest ones within a count and a byte bound, the older
 * ones dropped (and counted) first, so that a socket open for days costs no more than its bounds. Both directions'
 * relay threads add to it while the console and the web UI read it.
 *
 * <p>Thread-safe: the lock guards the deque and the counts; readers get copies.
 */
public final class WebSocketMessages {

    private final int maxMessages;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<WebSocketMessage> kept = new ArrayDeque<>();
    private long keptBytes;
    private long total;
    private long dropped;

    /**
     * @param maxMessages most messages kept (at least 1)
     * @param maxBytes    most captured content kept in all; the newest message is kept whatever its size
     */
    public WebSocketMessages(int maxMessages, long maxBytes) {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, got " + maxMessages);
        }
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** Restores a stored log: {@code messages} in order, after {@code dropped} that were let go. */
    static WebSocketMessages restore(List<WebSocketMessage> messages, long dropped) {
        WebSocketMessages log = new WebSocketMessages(Math.max(1, messages.size()), Long.MAX_VALUE);
        for (WebSocketMessage m : messages) {
            log.kept.addLast(m);
            log.keptBytes += m.content().length;
        }
        log.total = dropped + messages.size();
        log.dropped = dropped;
        return log;
    }

    /**
     * Adds a message, in the order of its index (each direction records its messages once they have gone on, so the
     * answer to a message may be recorded a moment before it); returns true if older messages had to go to make room.
     */
    public boolean add(WebSocketMessage message) {
        lock.lock();
        try {
            if (kept.isEmpty() || kept.peekLast().index() < message.index()) {
                kept.addLast(message);
            } else {
                List<WebSocketMessage> later = new ArrayList<>();
                while (!kept.isEmpty() && kept.peekLast().index() > message.index()) {
                    later.add(kept.removeLast());
                }
                kept.addLast(message);
                for (int i = later.size() - 1; i >= 0; i--) {
                    kept.addLast(later.get(i));
                }
            }
            keptBytes += message.content().length;
            total++;
            boolean dropping = false;
            while (kept.size() > maxMessages || (keptBytes > maxBytes && kept.size() > 1)) {
                keptBytes -= kept.removeFirst().content().length;
                dropped++;
                dropping = true;
            }
            return dropping;
        } finally {
            lock.unlock();
        }
    }

    /** The next message's index: how many messages the socket has carried so far. */
    public long total() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** How many of the oldest messages were let go to stay within the bounds. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The messages kept, oldest first. */
    public List<WebSocketMessage> all() {
        return from(0);
    }

    /** The kept messages whose index is {@code index} or more, oldest first. */
    public List<WebSocketMessage> from(long index) {
        lock.lock();
        try {
            List<WebSocketMessage> list = new ArrayList<>();
            for (WebSocketMessage m : kept) {
                if (m.index() >= index) {
                    list.add(m);
                }
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** A rough count of the heap the kept messages hold. */
    /** A rough count of the heap this holds, for the flow store's budget. */
    public long estimatedBytes() {
        lock.lock();
        try {
            return 64L + 96L * kept.size() + keptBytes;
        } finally {
            lock.unlock();
        }
    }
}
