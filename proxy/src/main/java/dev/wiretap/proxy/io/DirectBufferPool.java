package dev.wiretap.proxy.io;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Direct (off-heap) buffers of one size for relaying big bodies and tunnels between socket channels: the kernel
 * reads into them and writes from them, so no byte is copied in between. A fixed number exists at most, since direct
 * memory is scarce (it defaults to the heap's size); when all are in use {@link #acquire()} says so, and the relay
 * falls back to a heap buffer. Thread-safe: the lock guards the free list and the count.
 */
public final class DirectBufferPool {

    private final int bufferSize;
    private final ByteBuffer[] free;
    private final int maxBuffers;
    private final ReentrantLock lock = new ReentrantLock();
    private int freeCount;
    private int allocated;

    public DirectBufferPool(int bufferSize, int maxBuffers) {
        this.bufferSize = bufferSize;
        this.maxBuffers = maxBuffers;
        this.free = new ByteBuffer[maxBuffers];
    }

    /** A cleared buffer, or null when all {@code maxBuffers} are in use. */
    public ByteBuffer acquire() {
        lock.lock();
        try {
            if (freeCount > 0) {
                ByteBuffer b = free[--freeCount];
                free[freeCount] = null;
                return b.clear();
            }
            if (allocated == maxBuffers) {
                return null;
            }
            allocated++;
        } finally {
            lock.unlock();
        }
        return ByteBuffer.allocateDirect(bufferSize);
    }

    public void release(ByteBuffer buffer) {
        if (buffer == null) {
            return;
        }
        lock.lock();
        try {
            free[freeCount++] = buffer;
        } finally {
            lock.unlock();
        }
    }

    public int bufferSize() {
        return bufferSize;
    }
}
