package dev.wiretap.proxy.io;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Byte arrays of one size, reused across connections so that the hot path does not allocate (and zero) a fresh
 * buffer per exchange, and an idle connection holds none. Keeps at most {@code maxPooled}; beyond that released
 * arrays are left to the garbage collector. Thread-safe: the lock guards the stack.
 */
public final class BufferPool {

    private final int bufferSize;
    private final byte[][] stack;
    private final ReentrantLock lock = new ReentrantLock();
    private int size;

    public BufferPool(int bufferSize, int maxPooled) {
        this.bufferSize = bufferSize;
        this.stack = new byte[maxPooled][];
    }

    public int bufferSize() {
        return bufferSize;
    }

    public byte[] acquire() {
        lock.lock();
        try {
            if (size > 0) {
                byte[] b = stack[--size];
                stack[size] = null;
                return b;
            }
        } finally {
            lock.unlock();
        }
        return new byte[bufferSize];
    }

    public void release(byte[] buffer) {
        if (buffer == null || buffer.length != bufferSize) {
            return;
        }
        lock.lock();
        try {
            if (size < stack.length) {
                stack[size++] = buffer;
            }
        } finally {
            lock.unlock();
        }
    }
}
