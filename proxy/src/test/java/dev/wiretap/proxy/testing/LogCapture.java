package dev.wiretap.proxy.testing;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one class's logger publishes while a test runs, for tests that check what wiretap reports (a refused
 * client, a failure the accept loop survived). Opened around the code under test and closed after it, which takes
 * its handler off the logger again. Records arrive on whichever thread logs them (an accept loop, a session).
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(Logger logger) {
        this.logger = logger;
        logger.addHandler(handler);
    }

    /** Starts capturing what the logger named after {@code source} publishes (wiretap's System.Loggers log through it). */
    public static LogCapture of(Class<?> source) {
        return new LogCapture(Logger.getLogger(source.getName()));
    }

    /** The records published so far, oldest first. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
