package dev.wiretap.proxy.io;

/**
 * Bounds a read from the underlying connection: armed with a deadline before each read that may block, disarmed
 * after, and asked afterwards whether the deadline passed (the read was cut off rather than ended).
 */
public interface ReadTimer {
    void arm(long deadlineNanos);

    void disarm();

    boolean expired();

    ReadTimer NONE = new ReadTimer() {
        @Override
        public void arm(long deadlineNanos) {
        }

        @Override
        public void disarm() {
        }

        @Override
        public boolean expired() {
            return false;
        }
    };
}
