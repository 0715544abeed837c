package dev.wiretap.proxy.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowRecords;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.live.LiveFlow;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session files of real exchanges: saved, loaded back whole; and every kind of bad file refused or salvaged with a clear word. */
class SessionFileTest {

    private static TestOrigin origin;
    private static ProxyUnderTest proxy;
    private static List<Flow> flows;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordExchanges() throws Exception {
        origin = ShopOrigin.start();
        proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(ShopOrigin.CAPTURE_CAP)));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        flows = ShopOrigin.record(proxy, origin, closedPort);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void loadsBackEveryFlowAsItWasSaved() throws Exception {
        Path file = dir.resolve("shop.wiretap");

        SessionFile.Saved saved = SessionFile.write(file, flows);
        SessionFile.Loaded loaded = SessionFile.read(file);

        assertEquals(new SessionFile.Saved(flows.size(), 0), saved);
        assertEquals(List.of(), loaded.warnings());
        assertEquals(Wiretap.version(), loaded.savedBy());
        assertEquals(flows.size(), loaded.flows().size());
        for (int i = 0; i < flows.size(); i++) {
            Flow a = flows.get(i);
            Flow b = loaded.flows().get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.started(), b.started());
            assertEquals(a.client(), b.client());
            assertEquals(a.state(), b.state());
            assertEquals(a.timings(), b.timings());
            assertEquals(a.error(), b.error());
            assertEquals(a.serverAddress(), b.serverAddress());
            assertEquals(a.request().toString(), b.request().toString());
            assertEquals(a.request().headers().toString(), b.request().headers().toString());
            assertArrayEquals(a.request().wireHead(), b.request().wireHead());
            assertArrayEquals(a.request().body().bytes(), b.request().body().bytes());
            assertEquals(a.response().map(r -> r.toString() + r.headers() + r.body()), b.response().map(r -> r.toString() + r.headers() + r.body()));
            assertArrayEquals(a.response().orElseThrow().body().bytes(), b.response().orElseThrow().body().bytes());
        }
        // Everything the exports show is the same from a loaded session as from the live flows.
        assertArrayEquals(har(flows), har(loaded.flows()));
    }

    @Test
    void keepsTheCaptureTruncationOfABody() throws Exception {
        Path file = dir.resolve("download.wiretap");
        SessionFile.write(file, flows);

        Flow download = SessionFile.read(file).flows().get(3);

        assertTrue(download.response().orElseThrow().body().isTruncated());
        assertEquals("truncated at capture cap: 1024 of 5100 bytes captured", download.response().orElseThrow().body().captureNote());
    }

    @Test
    void leavesOutFlowsInFlight() throws Exception {
        List<Flow> withLive = new ArrayList<>(flows);
        withLive.add(new LiveFlow(99, flows.get(0).client(), Instant.now(), System.nanoTime(), flows.get(0).request()));

        SessionFile.Saved saved = SessionFile.write(dir.resolve("live.wiretap"), withLive);

        assertEquals(new SessionFile.Saved(flows.size(), 1), saved);
    }

    @Test
    void refusesAFileThatIsNotASession() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "just some notes\n");

        SessionFileException e = assertThrows(SessionFileException.class, () -> SessionFile.read(file));

        assertEquals(file + " is not a wiretap session file", e.getMessage());
    }

    @Test
    void refusesAnEmptyFile() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.wiretap"));

        SessionFileException e = assertThrows(SessionFileException.class, () -> SessionFile.read(file));

        assertEquals(file + " is not a wiretap session file", e.getMessage());
    }

    @Test
    void refusesAFormatItDoesNotKnowNamingBoth() throws Exception {
        byte[] session = session(flows);
        session[13] = 9; // the format version's low byte
        Path file = Files.write(dir.resolve("future.wiretap"), session);

        SessionFileException e = assertThrows(SessionFileException.class, () -> SessionFile.read(file));

        assertEquals(file + " is a session file of format 9, which this wiretap (" + Wiretap.version()
                + ") cannot read; it reads format 1", e.getMessage());
    }

    @Test
    void keepsTheFlowsBeforeTheCutOfAFileCutShort() throws Exception {
        byte[] session = session(flows);
        Path file = Files.write(dir.resolve("cut.wiretap"), Arrays.copyOf(session, session.length * 2 / 3));

        SessionFile.Loaded loaded = SessionFile.read(file);

        assertTrue(loaded.flows().size() < flows.size(), "fewer flows: " + loaded.flows().size());
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).startsWith(file + " ends early ("), loaded.warnings().get(0));
        assertTrue(loaded.warnings().get(0).endsWith("loaded the " + loaded.flows().size() + " flows before that point"),
                loaded.warnings().get(0));
    }

    @Test
    void skipsADamagedFlowAndLoadsTheRest() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] whole = session(List.of());
        out.write(whole, 0, 12 + 2 + 2 + Wiretap.version().length()); // the header of a real file
        try (DataOutputStream records = new DataOutputStream(new GZIPOutputStream(out))) {
            records.writeInt(5);
            records.write(new byte[] {42, 1, 2, 3, 4});
            byte[] good = new byte[FlowRecords.size(flows.get(1))];
            FlowRecords.write(flows.get(1), good, 0);
            records.writeInt(good.length);
            records.write(good);
            records.writeInt(-1);
            records.writeInt(2);
        }
        Path file = Files.write(dir.resolve("damaged.wiretap"), out.toByteArray());

        SessionFile.Loaded loaded = SessionFile.read(file);

        assertEquals(1, loaded.flows().size());
        assertEquals(flows.get(1).request().url(), loaded.flows().get(0).request().url());
        assertEquals(1, loaded.warnings().size(), loaded.warnings().toString());
        String warning = loaded.warnings().getFirst();
        assertTrue(warning.startsWith("flow 1 of " + file + " cannot be read (not a flow record of version ")
                && warning.endsWith("; saved by wiretap " + Wiretap.version() + "): skipped"), warning);
    }

    /**
     * Issue 12, item 4: a file of a few dozen bytes whose flow record asks for a 2 GB byte run ran the JVM out of memory.
     * It loads nothing and says which flow of which file is damaged, and how.
     */
    @Test
    void aCraftedRecordAskingFor2GbLoadsNothingAndSaysWhy() throws Exception {
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        DataOutputStream fields = new DataOutputStream(record);
        fields.writeByte(3); // the record's version
        fields.writeLong(1); // the flow's id
        fields.writeInt(0x7FFF0000); // the client address's length
        fields.write(new byte[16]);
        Path file = Files.write(dir.resolve("crafted.wiretap"), sessionOf(record.toByteArray()));
        assertTrue(Files.size(file) < 100, "a small file: " + Files.size(file));

        SessionFile.Loaded loaded = SessionFile.read(file);

        assertEquals(List.of(), loaded.flows());
        assertEquals(List.of("flow 1 of " + file + " cannot be read (damaged flow record: a byte run of 2147418112 bytes at"
                + " byte 13, where 16 are left; saved by wiretap " + Wiretap.version() + "): skipped"), loaded.warnings());
    }

    /** A record length that the data backs, but past what one flow may be: read past, never held. */
    @Test
    void aRecordLargerThanTheLimitIsSkippedWithoutBeingHeld() throws Exception {
        int huge = 320 << 20; // read into memory, twice that: more than the test JVM's heap
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(session(List.of()), 0, 12 + 2 + 2 + Wiretap.version().length());
        try (DataOutputStream records = new DataOutputStream(new GZIPOutputStream(out, 1 << 16))) {
            records.writeInt(huge);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < huge; i += zeros.length) {
                records.write(zeros);
            }
            byte[] good = new byte[FlowRecords.size(flows.get(1))];
            FlowRecords.write(flows.get(1), good, 0);
            records.writeInt(good.length);
            records.write(good);
            records.writeInt(-1);
            records.writeInt(2);
        }
        Path file = Files.write(dir.resolve("huge.wiretap"), out.toByteArray());

        SessionFile.Loaded loaded = SessionFile.read(file);

        assertEquals(1, loaded.flows().size());
        assertEquals(flows.get(1).request().url(), loaded.flows().get(0).request().url());
        assertEquals(List.of("flow 1 of " + file + " is " + huge + " bytes, more than the " + SessionFile.DEFAULT_MAX_FLOW_BYTES
                + " this wiretap keeps for one flow: skipped"), loaded.warnings());
    }

    /**
     * Found writing SessionFileFuzzTest: each damaged flow added a warning, so a crafted file of a million five-byte
     * records held a million warnings (memory that grew with the file, about 20 times its size). Twenty are listed.
     */
    @Test
    void listsTwentyDamagedFlowsAndCountsTheRest() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(session(List.of()), 0, 12 + 2 + 2 + Wiretap.version().length());
        try (DataOutputStream records = new DataOutputStream(new GZIPOutputStream(out))) {
            for (int i = 0; i < 100_000; i++) {
                records.writeInt(1);
                records.writeByte(99); // a record version no wiretap wrote
            }
            byte[] good = new byte[FlowRecords.size(flows.get(1))];
            FlowRecords.write(flows.get(1), good, 0);
            records.writeInt(good.length);
            records.write(good);
            records.writeInt(-1);
            records.writeInt(100_001);
        }
        Path file = Files.write(dir.resolve("many-damaged.wiretap"), out.toByteArray());

        SessionFile.Loaded loaded = SessionFile.read(file);

        assertEquals(1, loaded.flows().size());
        assertEquals(21, loaded.warnings().size(), loaded.warnings().toString());
        assertTrue(loaded.warnings().get(0).startsWith("flow 1 of " + file + " cannot be read"), loaded.warnings().get(0));
        assertEquals(file + ": 99980 more flows skipped", loaded.warnings().get(20));
    }

    @Test
    void handsFlowsToASinkOneByOne() throws Exception {
        Path file = dir.resolve("sink.wiretap");
        SessionFile.write(file, flows);
        List<Long> ids = new ArrayList<>();

        SessionFile.Outcome outcome = SessionFile.read(file, 1 << 20, flow -> ids.add(flow.id()));

        assertEquals(flows.stream().map(Flow::id).toList(), ids);
        assertEquals(new SessionFile.Outcome(flows.size(), Wiretap.version(), List.of()), outcome);
    }

    /** A session file of the real header and one record, as given, with its end and count. */
    private static byte[] sessionOf(byte[] record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(session(List.of()), 0, 12 + 2 + 2 + Wiretap.version().length());
        try (DataOutputStream records = new DataOutputStream(new GZIPOutputStream(out))) {
            records.writeInt(record.length);
            records.write(record);
            records.writeInt(-1);
            records.writeInt(1);
        }
        return out.toByteArray();
    }

    @Test
    void saysWhichFileIsMissingOrCannotBeWritten() {
        Path missing = dir.resolve("nope.wiretap");
        Path nowhere = dir.resolve("no-such-dir").resolve("x.wiretap");

        IOException read = assertThrows(IOException.class, () -> SessionFile.read(missing));
        IOException write = assertThrows(IOException.class, () -> SessionFile.write(nowhere, flows));
        IOException har = assertThrows(IOException.class, () -> HarWriter.write(nowhere, flows, Filter.ALL, ""));

        assertEquals("cannot read " + missing + ": no such file", read.getMessage());
        assertEquals("cannot write " + nowhere + ": no such directory", write.getMessage());
        assertEquals("cannot write " + nowhere + ": no such directory", har.getMessage());
    }

    private static byte[] session(List<Flow> flows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SessionFile.write(out, flows);
        return out.toByteArray();
    }

    private static byte[] har(List<Flow> flows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HarWriter.write(out, flows, Filter.ALL, "");
        return out.toString(StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }
}
