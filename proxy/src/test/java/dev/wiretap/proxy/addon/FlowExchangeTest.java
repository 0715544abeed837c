package dev.wiretap.proxy.addon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Body terms over flows recorded through a real wiretap from a real origin that compresses its answers: the decoding
 * exchange (views, --filter, exports) reads them decoded, the as-flowed one (rules, intercept) as the bytes that flowed.
 */
class FlowExchangeTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate", "br", "zstd", "gzip,br"})
    void bodyTermsMatchTheDecodedBodyOfACompressedResponse(String codings) throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow flow = get(proxy, origin.url("/coded/" + codings));

            assertTrue(Filter.parse("resbody:needle").matches(FlowExchange.decoding(flow)));
            assertTrue(Filter.parse("body:\"name\\\": \\\"Ada\"").matches(FlowExchange.decoding(flow)));
            assertTrue(Filter.parse("resbody:/haystack\"/").matches(FlowExchange.decoding(flow)));
            assertFalse(Filter.parse("resbody:straw").matches(FlowExchange.decoding(flow)));
        }
    }

    @Test
    void theAsFlowedExchangeSeesTheCompressedBytes() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow flow = get(proxy, origin.url("/coded/gzip"));

            assertFalse(Filter.parse("resbody:needle").matches(FlowExchange.asFlowed(flow)));
            assertTrue(Filter.parse("resbody:needle").matches(FlowExchange.decoding(flow)));
        }
    }

    @Test
    void anUncodedBodyReadsTheSameBothWays() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow flow = get(proxy, origin.url("/plain"));

            assertTrue(Filter.parse("resbody:hay").matches(FlowExchange.decoding(flow)));
            assertTrue(Filter.parse("resbody:hay").matches(FlowExchange.asFlowed(flow)));
        }
    }

    @Test
    void aBodyTermReadsNoFurtherThanTheCapOfADecompressionBomb() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow flow = get(proxy, origin.url("/bomb"));
            assertTrue(flow.response().orElseThrow().body().size() < 1 << 20, "the bomb fits the capture cap");
            assertTrue(CodedOrigin.BOMB_PADDING > FlowExchange.MAX_DECODED_BYTES);

            FlowExchange exchange = FlowExchange.decoding(flow);

            assertEquals(FlowExchange.MAX_DECODED_BYTES, exchange.responseBodyText().length());
            assertFalse(Filter.parse("resbody:needle").matches(exchange), "the needle lies past the cap");
            assertTrue(Filter.parse("resbody:\"   \"").matches(exchange));
        }
    }

    private static Flow get(ProxyUnderTest proxy, String url) throws Exception {
        HttpResponse<byte[]> response = proxy.httpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        Flow flow = proxy.nextFinishedFlow();
        return proxy.wiretap().history().get(flow.id()).orElseThrow();
    }
}
