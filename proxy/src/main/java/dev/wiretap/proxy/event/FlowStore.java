package dev.wiretap.proxy.event;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowRecords;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The recent flows within a memory budget, oldest dropped first. The console, HAR export and replay read from here.
 *
 * <p>Flows in flight are kept as the live objects. A finished flow is written once, in its compact binary form
 * ({@link FlowRecords}), into the current chunk of a ring of large byte arrays, and the live object is let go. So
 * tens of thousands of stored flows are a few dozen arrays of bytes that the garbage collector neither walks nor
 * copies, and the heap the store takes is the chunks' size, which the budget bounds. When the budget is exceeded,
 * the oldest chunk's flows are dropped together and the chunk freed. Reading a stored flow decodes a copy.
 *
 * <p>Users and the faces read it as a {@link FlowHistory} ({@code Wiretap.history()}); its writers (the events it
 * listens to, {@link #addFinished}, {@link #clear}) are the engine's and the facade's.
 *
 * <p>Thread-safe: the lock guards the chunks, the index and the in-flight map; flows are encoded outside it.
 */
public final class FlowStore implements FlowHistory, FlowListener {

    private static final int MAX_CHUNK_BYTES = 1 << 20;
    private static final int MIN_CHUNK_BYTES = 4 << 10;
    /** Stored flows {@link #recent} decodes at most per turn of the lock. */
    private static final int RECENT_BATCH = 64;
    /** Bytes per stored flow in the index: id, chunk sequence, offset. */
    private static final int INDEX_BYTES_PER_FLOW = 8 + 8 + 4;

    private final long budgetBytes;
    private final int chunkBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Long, Flow> inFlight = new LinkedHashMap<>();
    private long inFlightBytes;
    /** The flows in flight that grow while they last (WebSockets, streaming bodies): counted at their estimates. */
    private final LinkedHashMap<Long, Flow> growing = new LinkedHashMap<>();

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** An evicted chunk kept for reuse, so that a full store allocates nothing (and leaves no old garbage). */
    private byte[] spare;
    private long firstChunkSeq;
    private long chunkBytesHeld;
    private int writePos;

    // The finished flows in the order they finished, as a ring: id, chunk sequence and offset of each record.
    private long[] ids = new long[64];
    private long[] seqs = new long[64];
    private int[] offsets = new int[64];
    private int head;
    private int count;
    /** Flows ever put in the ring: the newest held is the {@code appended - 1}-th, the oldest the {@code appended - count}-th. */
    private long appended;
    private long evicted;

    /** Stored records decoded per hold of the lock while reading back, so a long read never holds up the proxy for long. */
    private static final int READ_BATCH = 256;
    /** Most records one {@link #readBack} looks at, so that a rare filter over a big store still answers in good time. */
    private static final int MAX_EXAMINED_PER_READ = 20_000;
    public FlowStore(long budgetBytes) {
        this.budgetBytes = budgetBytes;
        this.chunkBytes = (int) Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, budgetBytes / 16));
    }

    @Override
    public void onEvent(FlowEvent event) {
        switch (event) {
            case FlowEvent.Requested r -> started(r.flow());
            case FlowEvent.Completed c -> finished(c.flow());
            case FlowEvent.Failed f -> finished(f.flow());
            case FlowEvent.Responded r -> { }
            case FlowEvent.Paused p -> { }
            case FlowEvent.Released r -> { }
            case FlowEvent.Progressed p -> grew(p.flow());
        }
    }

    /**
     * A flow in flight that grows (a WebSocket's messages, a streaming body) is counted at its own estimate from now
     * on, so that the budget sees what it holds; the other flows in flight cost a fixed estimate each.
     */
    private void grew(Flow flow) {
        lock.lock();
        try {
            if (inFlight.containsKey(flow.id())) {
                growing.putIfAbsent(flow.id(), flow);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps a finished flow that did not pass through this proxy (one loaded from a session file), as if it had just
     * finished here. Its id must be one this proxy never gives out again (see {@code Wiretap.importFlows}).
     */
    public void addFinished(Flow flow) {
        if (!flow.isDone()) {
            throw new IllegalArgumentException("flow " + flow.id() + " has not finished");
        }
        finished(flow);
    }

    /** What a flow in flight is counted as: its request head twice over (bytes and parsed fields) and its objects. */
    private static long inFlightEstimate(Flow flow) {
        return 512L + 2L * flow.request().wireHead().length;
    }

    private void started(Flow flow) {
        long bytes = inFlightEstimate(flow);
        lock.lock();
        try {
            inFlight.put(flow.id(), flow);
            inFlightBytes += bytes;
        } finally {
            lock.unlock();
        }
    }

    private void finished(Flow flow) {
        int size = FlowRecords.size(flow);
        lock.lock();
        try {
            if (inFlight.remove(flow.id()) != null) {
                inFlightBytes -= inFlightEstimate(flow);
            }
            growing.remove(flow.id());
            if (size > budgetBytes) {
                evicted++;
                return;
            }
            byte[] chunk = chunkWithRoom(size);
            FlowRecords.write(flow, chunk, writePos);
            append(flow.id(), firstChunkSeq + chunks.size() - 1, writePos);
            writePos += size;
            evictOverBudget();
        } finally {
            lock.unlock();
        }
    }

    private byte[] chunkWithRoom(int size) {
        byte[] current = chunks.peekLast();
        if (current != null && writePos + size <= current.length) {
            return current;
        }
        byte[] chunk;
        if (spare != null && spare.length >= size) {
            chunk = spare;
            spare = null;
        } else {
            chunk = new byte[Math.max(chunkBytes, size)];
        }
        chunks.addLast(chunk);
        chunkBytesHeld += chunk.length;
        writePos = 0;
        return chunk;
    }

    private void append(long id, long seq, int offset) {
        if (count == ids.length) {
            grow();
        }
        int i = (head + count) % ids.length;
        ids[i] = id;
        seqs[i] = seq;
        offsets[i] = offset;
        count++;
        appended++;
    }

    private void grow() {
        int n = ids.length * 2;
        long[] newIds = new long[n];
        long[] newSeqs = new long[n];
        int[] newOffsets = new int[n];
        for (int k = 0; k < count; k++) {
            int i = (head + k) % ids.length;
            newIds[k] = ids[i];
            newSeqs[k] = seqs[i];
            newOffsets[k] = offsets[i];
        }
        ids = newIds;
        seqs = newSeqs;
        offsets = newOffsets;
        head = 0;
    }

    /** Drops whole chunks, oldest first, until the store fits its budget (the current chunk stays). */
    private void evictOverBudget() {
        while (usedBytesLocked() > budgetBytes && chunks.size() > 1) {
            while (count > 0 && seqs[head] == firstChunkSeq) {
                head = (head + 1) % ids.length;
                count--;
                evicted++;
            }
            byte[] freed = chunks.pollFirst();
            chunkBytesHeld -= freed.length;
            firstChunkSeq++;
            if (freed.length == chunkBytes) {
                spare = freed; // not counted against the budget: it is handed out again before the next new chunk
            }
        }
    }

    private long usedBytesLocked() {
        long grown = 0;
        for (Flow flow : growing.values()) {
            grown += flow.estimatedBytes();
        }
        return chunkBytesHeld + inFlightBytes + grown + (long) ids.length * INDEX_BYTES_PER_FLOW;
    }

    /** The flow with {@code id}: the live one if in flight, else a decoded copy of the stored one. */
    @Override
    public Optional<Flow> get(long id) {
        lock.lock();
        try {
            Flow live = inFlight.get(id);
            if (live != null) {
                return Optional.of(live);
            }
            for (int k = count - 1; k >= 0; k--) {
                int i = (head + k) % ids.length;
                if (ids[i] == id) {
                    return Optional.of(decode(i));
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Every flow held now, in order of arrival (by id): stored ones decoded, in-flight ones live. */
    @Override
    public List<Flow> snapshot() {
        List<Flow> list;
        lock.lock();
        try {
            list = new ArrayList<>(count + inFlight.size());
            for (int k = 0; k < count; k++) {
                list.add(decode((head + k) % ids.length));
            }
            list.addAll(inFlight.values());
        } finally {
            lock.unlock();
        }
        list.sort(Comparator.comparingLong(Flow::id));
        return list;
    }

    /**
     * The flows held now, in order of arrival (by id) as {@link #snapshot} lists them, but each stored one decoded only
     * when the caller comes to it: for writers that go through the whole store (a HAR at exit, a session file) without
     * holding it twice over. What is taken at the call is the list of ids (a few bytes a flow); a flow evicted or
     * cleared before the caller reaches it is skipped. Each decoding takes the store's lock briefly. The iterable is
     * for one pass on one thread.
     */
    @Override
    public Iterable<Flow> inOrder() {
        long[] order;
        List<Flow> live;
        lock.lock();
        try {
            long oldest = appended - count;
            // Records are in the order flows finished, which is not quite the order they arrived in.
            order = new long[count];
            for (int k = 0; k < count; k++) {
                order[k] = oldest + k;
            }
            long[] idsByPosition = new long[count];
            for (int k = 0; k < count; k++) {
                idsByPosition[k] = ids[(head + k) % ids.length];
            }
            order = sortedByIds(order, idsByPosition, oldest);
            live = new ArrayList<>(inFlight.values());
        } finally {
            lock.unlock();
        }
        live.sort(Comparator.comparingLong(Flow::id));
        long[] positions = order;
        return () -> new InOrder(positions, live);
    }

    /** The positions, sorted by the id of the flow at each ({@code ids[position - oldest]}). */
    private static long[] sortedByIds(long[] positions, long[] ids, long oldest) {
        Long[] boxed = new Long[positions.length];
        for (int k = 0; k < positions.length; k++) {
            boxed[k] = positions[k];
        }
        Arrays.sort(boxed, Comparator.comparingLong(p -> ids[(int) (p - oldest)]));
        long[] sorted = new long[boxed.length];
        for (int k = 0; k < boxed.length; k++) {
            sorted[k] = boxed[k];
        }
        return sorted;
    }

    /** The stored flow appended {@code position}-th, decoded; null when it has been evicted or cleared since. */
    private Flow decodeAt(long position) {
        lock.lock();
        try {
            long oldest = appended - count;
            if (position < oldest || position >= appended) {
                return null;
            }
            return decode((int) ((head + (position - oldest)) % ids.length));
        } finally {
            lock.unlock();
        }
    }

    /** {@link #inOrder}'s walk: stored flows decoded as reached, merged by id with the flows that were in flight. */
    private final class InOrder implements java.util.Iterator<Flow> {
        private final long[] positions;
        private final List<Flow> live;
        private int nextStored;
        private int nextLive;
        private Flow stored;

        InOrder(long[] positions, List<Flow> live) {
            this.positions = positions;
            this.live = live;
        }

        @Override
        public boolean hasNext() {
            while (stored == null && nextStored < positions.length) {
                stored = decodeAt(positions[nextStored++]);
            }
            return stored != null || nextLive < live.size();
        }

        @Override
        public Flow next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            if (stored != null && (nextLive == live.size() || stored.id() <= live.get(nextLive).id())) {
                Flow flow = stored;
                stored = null;
                return flow;
            }
            return live.get(nextLive++);
        }
    }

    /**
     * The newest {@code max} flows that {@code test} accepts, oldest first: in-flight ones live, stored ones decoded.
     * Reads from the newest back and stops when it has enough, so a console listing the last screenful does not decode
     * a store of a hundred thousand flows. {@code test} runs on the caller's thread outside the store's lock (flows are
     * decoded under it a batch at a time), so a slow test (a filter decoding bodies) never holds up the connections
     * that store their flows meanwhile.
     */
    @Override
    public List<Flow> recent(int max, java.util.function.Predicate<Flow> test) {
        List<Flow> list = new ArrayList<>(Math.min(max, 1024));
        List<Flow> live;
        long next;
        lock.lock();
        try {
            live = new ArrayList<>(inFlight.values());
            next = appended - 1;
        } finally {
            lock.unlock();
        }
        for (int k = live.size() - 1; k >= 0 && list.size() < max; k--) {
            if (test.test(live.get(k))) {
                list.add(live.get(k));
            }
        }
        List<Flow> batch = new ArrayList<>(RECENT_BATCH);
        while (list.size() < max) {
            next = decodeBackwards(next, Math.min(RECENT_BATCH, max - list.size()), batch);
            if (batch.isEmpty()) {
                break;
            }
            for (int k = 0; k < batch.size() && list.size() < max; k++) {
                if (test.test(batch.get(k))) {
                    list.add(batch.get(k));
                }
            }
            batch.clear();
        }
        list.sort(Comparator.comparingLong(Flow::id));
        return list;
    }

    /**
     * Decodes up to {@code n} stored flows into {@code batch}, newest first, from the one appended
     * {@code position}-th (counting every flow ever stored) back to the oldest still held; returns the position to go on
     * from. Flows stored meanwhile are after {@code position} and not read; flows evicted meanwhile are skipped.
     */
    private long decodeBackwards(long position, int n, List<Flow> batch) {
        lock.lock();
        try {
            long oldest = appended - count;
            long p = position;
            while (p >= oldest && batch.size() < n) {
                batch.add(decode((int) ((head + (p - oldest)) % ids.length)));
                p--;
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the store back from position {@code before} ({@link #NEWEST} first, then a page's {@link Page#next}): up to
     * {@code max} flows that {@code test} accepts, newest first. From {@link #NEWEST} the flows in flight come first (the
     * live objects), then the stored ones in the reverse of the order they finished; the pages of one reading are
     * disjoint and, together, hold every flow that was held when the reading began and still is (a flow finishing
     * meanwhile is news for whoever listens to events). A page may hold fewer than {@code max} flows when more
     * follow: {@link Page#next} says so. Stored flows are decoded in small batches under the lock and tested outside
     * it, so that a long reading never holds up the proxy's threads.
     *
     * @param withBodies false to leave the bodies' bytes out ({@link FlowRecords#readWithoutBodies}: sizes kept), for
     *                   lists; then {@code test} must not read bodies, and neither may whoever gets the page
     */
    @Override
    public Page readBack(long before, int max, boolean withBodies, java.util.function.Predicate<Flow> test) {
        List<Flow> selected = new ArrayList<>(Math.min(max, 1024));
        long cursor = before;
        if (before == NEWEST) {
            List<Flow> live;
            lock.lock();
            try {
                live = new ArrayList<>(inFlight.values());
                cursor = appended;
            } finally {
                lock.unlock();
            }
            for (int k = live.size() - 1; k >= 0 && selected.size() < max; k--) {
                if (test.test(live.get(k))) {
                    selected.add(live.get(k));
                }
            }
        }
        int examined = 0;
        long oldestHeld = 0;
        List<Flow> batch = new ArrayList<>(READ_BATCH);
        while (selected.size() < max && examined < MAX_EXAMINED_PER_READ) {
            long batchTop;
            lock.lock();
            try {
                oldestHeld = appended - count;
                batchTop = Math.min(cursor, appended);
                for (long seq = batchTop - 1; seq >= oldestHeld && batch.size() < READ_BATCH; seq--) {
                    int index = (int) ((head + (seq - oldestHeld)) % ids.length);
                    byte[] chunk = chunkAt(seqs[index]);
                    batch.add(withBodies ? FlowRecords.read(chunk, offsets[index]) : FlowRecords.readWithoutBodies(chunk, offsets[index]));
                }
            } finally {
                lock.unlock();
            }
            if (batch.isEmpty()) {
                cursor = oldestHeld;
                break;
            }
            long seq = batchTop;
            for (Flow flow : batch) {
                seq--;
                examined++;
                cursor = seq;
                if (test.test(flow)) {
                    selected.add(flow);
                    if (selected.size() == max) {
                        break;
                    }
                }
            }
            batch.clear();
        }
        java.util.OptionalLong next = cursor > oldestHeld ? java.util.OptionalLong.of(cursor) : java.util.OptionalLong.empty();
        return new Page(selected, next);
    }

    private Flow decode(int index) {
        byte[] chunk = chunkAt(seqs[index]);
        return FlowRecords.read(chunk, offsets[index]);
    }

    private byte[] chunkAt(long seq) {
        int k = (int) (seq - firstChunkSeq);
        int n = 0;
        for (byte[] chunk : chunks) {
            if (n++ == k) {
                return chunk;
            }
        }
        throw new IllegalStateException("chunk " + seq + " is gone");
    }

    /** Flows held now, finished and in flight. */
    @Override
    public int size() {
        lock.lock();
        try {
            return count + inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the store holds: its chunks, its index, and an estimate of the flows in flight. */
    @Override
    public long usedBytes() {
        lock.lock();
        try {
            return usedBytesLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long budgetBytes() {
        return budgetBytes;
    }

    /** How many finished flows were dropped to stay within the budget. */
    @Override
    public long evictedCount() {
        lock.lock();
        try {
            return evicted;
        } finally {
            lock.unlock();
        }
    }

    /** Drops every finished flow; flows in flight stay. Returns how many were dropped. */
    public int clear() {
        lock.lock();
        try {
            int dropped = count;
            chunks.clear();
            chunkBytesHeld = 0;
            firstChunkSeq += Integer.MAX_VALUE; // no old sequence number can match again
            writePos = 0;
            head = 0;
            count = 0;
            Arrays.fill(ids, 0);
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
