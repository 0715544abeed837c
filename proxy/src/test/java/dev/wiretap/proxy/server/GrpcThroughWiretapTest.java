package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.content.GrpcMessages;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.HttpConnectProxiedSocketAddress;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grpc-java client calling a grpc-java server through wiretap's interception, trusting wiretap's CA: all four kinds
 * of call, each a flow over HTTP/2 on both sides, with the status from the trailers reaching the client and shown, and
 * the messages read from their length-prefixed frames as protobuf fields. Messages are protobuf bytes made by hand (no
 * generated code): field 1 a varint, field 2 a string.
 */
class GrpcThroughWiretapTest {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> FAILING = method("Failing", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> SERVER_STREAMING = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> CLIENT_STREAMING = method("Sum", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<byte[], byte[]> BIDI = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    @TempDir
    static Path dir;
    static TestCa testCa;
    static Server server;
    static ProxyUnderTest proxy;
    static ManagedChannel channel;

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName("wiretap.test.Echo/" + name)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    /** A protobuf message: field 1 (varint) {@code n}, field 2 (string) {@code text}. */
    static byte[] message(int n, String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x08);
        int v = n;
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        out.write(0x12);
        out.write(t.length);
        out.writeBytes(t);
        return out.toByteArray();
    }

    @BeforeAll
    static void start() throws Exception {
        testCa = TestCa.ec("grpc test CA");
        Path caFile = testCa.writeCertificate(dir.resolve("test-ca.pem"));
        ServerServiceDefinition service = ServerServiceDefinition.builder("wiretap.test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, reply) -> {
                    reply.onNext(request);
                    reply.onCompleted();
                }))
                .addMethod(FAILING, ServerCalls.asyncUnaryCall((request, reply) ->
                        reply.onError(Status.NOT_FOUND.withDescription("no such thing: 100% gone").asRuntimeException())))
                .addMethod(SERVER_STREAMING, ServerCalls.asyncServerStreamingCall((request, reply) -> {
                    for (int i = 1; i <= 3; i++) {
                        reply.onNext(message(i, "item " + i));
                    }
                    reply.onCompleted();
                }))
                .addMethod(CLIENT_STREAMING, ServerCalls.asyncClientStreamingCall(reply -> new StreamObserver<>() {
                    int count;

                    @Override
                    public void onNext(byte[] value) {
                        count++;
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        reply.onNext(message(count, "received"));
                        reply.onCompleted();
                    }
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(reply -> new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        reply.onNext(value); // each message answered at once: the client waits for it before the next
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        reply.onCompleted();
                    }
                }))
                .build();
        server = Grpc.newServerBuilderForPort(0, TlsServerCredentials.newBuilder()
                .keyManager(testCa.issue("127.0.0.1", "localhost").keyManagers()).build())
                .addService(service).build().start();
        proxy = ProxyUnderTest.start(Interception.on(caFile));
        InetSocketAddress proxyAddress = proxy.address();
        channel = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), TlsChannelCredentials.newBuilder()
                        .trustManager(TestCa.trustManagers(proxy.wiretap().certificateAuthority().orElseThrow().certificate()))
                        .build())
                .proxyDetector(target -> HttpConnectProxiedSocketAddress.newBuilder()
                        .setTargetAddress((InetSocketAddress) target).setProxyAddress(proxyAddress).build())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The next finished flow that is a call (not the CONNECT of the channel's tunnel). */
    private static Flow nextCall() throws InterruptedException {
        while (true) {
            Flow flow = proxy.nextFinishedFlow();
            if (!flow.request().isMethod("CONNECT")) {
                return flow;
            }
        }
    }

    @Test
    void aUnaryCallIsAFlowWithItsMessagesAndStatus() throws Exception {
        byte[] request = message(150, "hello");
        byte[] reply = ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
        assertArrayEquals(request, reply);

        Flow call = nextCall();
        assertEquals(Flow.State.COMPLETED, call.state(), call + " " + call.error());
        assertEquals("POST", call.request().method());
        assertTrue(call.request().url().endsWith("/wiretap.test.Echo/Unary"), call.request().url());
        assertEquals(HttpVersion.HTTP_2, call.request().version());
        assertEquals(HttpVersion.HTTP_2, call.response().orElseThrow().version());
        assertEquals(List.of("message 1 (10 bytes)", "  1: 150  (varint)", "  2: \"hello\""),
                GrpcMessages.lines(call.request().body().bytes()));
        assertEquals(List.of("message 1 (10 bytes)", "  1: 150  (varint)", "  2: \"hello\""),
                GrpcMessages.lines(call.response().orElseThrow().body().bytes()));
        assertEquals("grpc-status 0 (OK)", GrpcMessages.status(call.response().orElseThrow().trailers().orElseThrow()).orElseThrow());
    }

    @Test
    void aFailedCallsStatusReachesTheClientAndIsShown() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
                FAILING, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), message(1, "x")));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no such thing: 100% gone", e.getStatus().getDescription());

        Flow call = nextCall();
        // A call that fails before any message is "trailers only": its status is in the response's head.
        var response = call.response().orElseThrow();
        String shown = GrpcMessages.status(response.trailers().orElse(response.headers())).orElseThrow();
        assertEquals("grpc-status 5 (NOT_FOUND): no such thing: 100% gone", shown);
    }

    @Test
    void aServerStreamingCallBringsEveryMessage() throws Exception {
        Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAMING,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), message(3, "count"));
        List<byte[]> got = new ArrayList<>();
        replies.forEachRemaining(got::add);
        assertEquals(3, got.size());
        assertArrayEquals(message(3, "item 3"), got.get(2));

        Flow call = nextCall();
        List<String> lines = GrpcMessages.lines(call.response().orElseThrow().body().bytes());
        assertEquals(List.of("message 1 (10 bytes)", "  1: 1  (varint)", "  2: \"item 1\"",
                "message 2 (10 bytes)", "  1: 2  (varint)", "  2: \"item 2\"",
                "message 3 (10 bytes)", "  1: 3  (varint)", "  2: \"item 3\""), lines);
    }

    @Test
    void aClientStreamingCallSendsEveryMessage() throws Exception {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(CLIENT_STREAMING, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)), observer(result));
        for (int i = 0; i < 4; i++) {
            requests.onNext(message(i, "part"));
        }
        requests.onCompleted();
        assertArrayEquals(message(4, "received"), result.get(20, TimeUnit.SECONDS));

        Flow call = nextCall();
        assertEquals(4, GrpcMessages.decode(call.request().body().bytes()).messages().size());
    }

    @Test
    void aBidirectionalCallTalksBothWaysAtOnce() throws Exception {
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(BIDI, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        for (int i = 0; i < 3; i++) {
            byte[] m = message(i, "ping " + i);
            requests.onNext(m);
            // The next message goes only once this one's answer is back: a relay that waited for the whole request
            // before answering would never get here.
            assertArrayEquals(m, replies.poll(20, TimeUnit.SECONDS), "no answer to message " + i);
        }
        requests.onCompleted();
        done.get(20, TimeUnit.SECONDS);

        Flow call = nextCall();
        assertEquals(Flow.State.COMPLETED, call.state(), call + " " + call.error());
        assertEquals(3, GrpcMessages.decode(call.request().body().bytes()).messages().size());
        assertEquals(3, GrpcMessages.decode(call.response().orElseThrow().body().bytes()).messages().size());
    }

    private static StreamObserver<byte[]> observer(CompletableFuture<byte[]> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
