package dev.wiretap.config.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The filter language: a table of expressions against three exchanges, and the faults with their columns. */
class FilterTest {

    /** A POST to an API that failed with 503, JSON both ways. */
    static final Exchange API = new Sample("POST", "https://api.example.com/v2/orders?id=7", "api.example.com",
            "/v2/orders?id=7", Optional.of(503),
            Map.of("Content-Type", "application/json", "X-Debug", "1"),
            Map.of("Content-Type", "application/json; charset=utf-8", "Retry-After", "30"),
            "{\"item\":\"pizza\"}", "{\"error\":\"overloaded\"}");

    /** A GET of an image that worked. */
    static final Exchange IMAGE = new Sample("GET", "http://cdn.example.org/img/logo.png", "cdn.example.org",
            "/img/logo.png", Optional.of(200), Map.of(), Map.of("Content-Type", "image/png"), "", "PNG...");

    /** A GET whose response has not arrived yet. */
    static final Exchange PENDING = new Sample("GET", "http://example.com/", "example.com", "/", Optional.empty(),
            Map.of("Accept", "*/*"), Map.of(), "", "");

    static Stream<Arguments> expressions() {
        return Stream.of(
            Arguments.of("", true, true, true),
            Arguments.of("host:api.example.com", true, false, false),
            Arguments.of("host:example.com", true, false, true),
            Arguments.of("host:example.org", false, true, false),
            Arguments.of("host:*.example.*", true, true, false),
            Arguments.of("host:/^cdn\\./", false, true, false),
            Arguments.of("method:POST", true, false, false),
            Arguments.of("method:post", true, false, false),
            Arguments.of("method:PO", false, false, false),
            Arguments.of("status:5xx", true, false, false),
            Arguments.of("status:200", false, true, false),
            Arguments.of("status:400-599", true, false, false),
            Arguments.of("!status:2xx", true, false, true),
            Arguments.of("path:/v2", true, false, false),
            Arguments.of("path:/v2/*", true, false, false),
            Arguments.of("path:/v2/", true, false, false),
            Arguments.of("path:/\\.png$/", false, true, false),
            Arguments.of("url:https", true, false, false),
            Arguments.of("url:*example.org*", false, true, false),
            Arguments.of("orders", true, false, false),
            Arguments.of("/ORDERS\\?id=\\d+/", true, false, false),
            Arguments.of("type:json", true, false, false),
            Arguments.of("type:image", false, true, false),
            Arguments.of("!type:image", true, false, true),
            Arguments.of("header:X-Debug", true, false, false),
            Arguments.of("header:x-debug=1", true, false, false),
            Arguments.of("header:Retry-After", true, false, false),
            Arguments.of("reqheader:Retry-After", false, false, false),
            Arguments.of("resheader:Retry-After=30", true, false, false),
            Arguments.of("header:\"Content-Type=*utf-8\"", true, false, false),
            Arguments.of("body:pizza", true, false, false),
            Arguments.of("resbody:pizza", false, false, false),
            Arguments.of("reqbody:/\"item\"\\s*:/", true, false, false),
            Arguments.of("body:overloaded", true, false, false),
            Arguments.of("host:api.example.com method:POST status:5xx", true, false, false),
            Arguments.of("!type:image & (path:/v2/*|header:X-Debug)", true, false, false),
            Arguments.of("status:5xx|type:image", true, true, false),
            Arguments.of("url:\"*id=7*\"", true, false, false),
            Arguments.of("!(status:5xx|type:image)", false, false, true),
            Arguments.of("method:GET !status:200", false, false, true),
            Arguments.of("method:GET & !host:example.org|method:POST", true, false, true));
    }

    @ParameterizedTest(name = "{0}  -> api={1} image={2} pending={3}")
    @MethodSource("expressions")
    void selectsTheExchangesItDescribes(String expression, boolean api, boolean image, boolean pending) {
        Filter filter = Filter.parse(expression);
        assertEquals(List.of(api, image, pending),
                List.of(filter.matches(API), filter.matches(IMAGE), filter.matches(PENDING)), filter.toString());
    }

    @Test
    void protoMatchesTheProtocolOnEitherSide() {
        Exchange h2ToH1 = new Protocols(API, List.of("h2", "http/1.1"));
        Exchange h1 = new Protocols(API, List.of("http/1.1"));
        assertTrue(Filter.parse("proto:h2").matches(h2ToH1));
        assertTrue(Filter.parse("proto:2").matches(h2ToH1));
        assertTrue(Filter.parse("proto:HTTP/1.1").matches(h2ToH1));
        assertFalse(Filter.parse("proto:h2").matches(h1));
        assertTrue(Filter.parse("!proto:h2").matches(h1));
        assertTrue(Filter.parse("proto:1.1").matches(h1));
        assertFalse(Filter.parse("proto:h2").matches(API), "protocols not known");
    }

    /** An exchange with the protocols it flowed in. */
    record Protocols(Exchange inner, List<String> protocols) implements Exchange {
        @Override
        public String method() {
            return inner.method();
        }

        @Override
        public String url() {
            return inner.url();
        }

        @Override
        public String host() {
            return inner.host();
        }

        @Override
        public String pathAndQuery() {
            return inner.pathAndQuery();
        }

        @Override
        public Optional<Integer> status() {
            return inner.status();
        }

        @Override
        public List<String> requestHeader(String name) {
            return inner.requestHeader(name);
        }

        @Override
        public List<String> responseHeader(String name) {
            return inner.responseHeader(name);
        }

        @Override
        public String requestBodyText() {
            return inner.requestBodyText();
        }

        @Override
        public String responseBodyText() {
            return inner.responseBodyText();
        }
    }

    @Test
    void readsBackAsTypedWhileMatchingWithoutRegardToCase() {
        Filter filter = Filter.parse("  body:Pizza   Host:API.example.com & !status:4XX ");

        assertEquals("body:Pizza   Host:API.example.com & !status:4XX", filter.toString());
        assertTrue(filter.matches(API));
        assertEquals("", Filter.parse("   ").toString());
        assertSame(Filter.ALL, Filter.parse(""));
    }

    @ParameterizedTest(name = "{0} reads the response: {1}")
    @MethodSource("responseReaders")
    void saysWhetherItNeedsTheResponseToBeDecided(String expression, boolean readsResponse) {
        assertEquals(readsResponse, Filter.parse(expression).readsResponse());
    }

    @ParameterizedTest(name = "{0} reads bodies: {1}")
    @CsvSource(delimiter = ';', value = {
            "'';false", "host:a status:5xx header:X type:json;false", "body:x;true", "host:a & !reqbody:x;true",
            "status:2xx | resbody:/x/;true"})
    void saysWhetherItNeedsTheBodiesToBeDecided(String expression, boolean readsBodies) {
        assertEquals(readsBodies, Filter.parse(expression).readsBodies());
    }

    static Stream<Arguments> responseReaders() {
        return Stream.of(
            Arguments.of("", false),
            Arguments.of("host:a.example path:/v2 method:GET url:x reqheader:A reqbody:x", false),
            Arguments.of("status:5xx", true),
            Arguments.of("!status:2xx", true),
            Arguments.of("host:a | resheader:X", true),
            Arguments.of("header:X", true),
            Arguments.of("type:json", true),
            Arguments.of("body:x", true),
            Arguments.of("host:a & !(path:/x | resbody:y)", true));
    }

    static Stream<Arguments> faults() {
        return Stream.of(
            Arguments.of("hots:example.com", 1, "unknown field 'hots' (did you mean 'host'?)"),
            Arguments.of("method:GET statsu:200", 12, "unknown field 'statsu' (did you mean 'status'?)"),
            Arguments.of("host:", 6, "'host:' needs a value"),
            Arguments.of("status:5x", 8, "'5x' is not a status"),
            Arguments.of("status:500-400", 8, "is not a status"),
            Arguments.of("(host:a | host:b", 1, "the '(' here is never closed"),
            Arguments.of("host:a)", 7, "a ')' without its '('"),
            Arguments.of("host:a &", 9, "the expression ends where a term was expected"),
            Arguments.of("| host:a", 1, "'|' where a term was expected"),
            Arguments.of("url:/[a-z/", 9, "invalid regular expression"),
            Arguments.of("url:/abc", 5, "has no closing '/'"),
            Arguments.of("header:\"X-A", 8, "has no closing '\"'"),
            Arguments.of("header:X-A=", 12, "needs a value"),
            Arguments.of("!", 2, "the expression ends where a term was expected"),
            Arguments.of("(".repeat(64) + "!a" + ")".repeat(64), 65, "more than 64 groups and negations"),
            Arguments.of("!".repeat(100_000) + "a", 65, "more than 64 groups and negations"),
            Arguments.of("a ".repeat(1000) + "b c", 2001, "more than 1000 terms"));
    }

    /** Found by FilterFuzzTest: a field name holding '|' printed bare, so the printed filter read back as two terms. */
    @Test
    void printsAFieldNameThatHoldsAnOperatorInQuotes() {
        Filter.Written filter = (Filter.Written) Filter.parse("header:\"X|y\" & reqheader:\"A&b=c\"");

        assertEquals("(header:\"X|y\" & reqheader:\"A&b\"=c)", filter.filter().toString());
        assertEquals(filter.filter().toString(), ((Filter.Written) Filter.parse(filter.filter().toString())).filter().toString());
    }

    /** Found by FilterFuzzTest: 50,000 '!' ran the parser out of stack (a StackOverflowError, not a fault). */
    @Test
    void nestsAndChainsUpToTheLimitsWithoutRunningOutOfStack() {
        Filter deep = Filter.parse("(".repeat(63) + "!host:api.example.com" + ")".repeat(63));
        Filter.Written long_ = (Filter.Written) Filter.parse("status:5xx " + "body:pizza ".repeat(998) + "host:example.com");

        assertFalse(deep.matches(API));
        assertTrue(long_.matches(API));
        assertTrue(Filter.parse(long_.filter().toString()).matches(API), "the canonical form reads back");
    }

    /**
     * Found by FilterFuzzTest: a glob was matched as a regular expression ({@code .*.*.*x}), which backtracks without end
     * on a text it does not match; rules match URLs from the network.
     */
    @Test
    @org.junit.jupiter.api.Timeout(10)
    void matchesAGlobOfManyStarsWithoutBacktrackingForever() {
        Exchange longUrl = new Sample("GET", "http://example.com/" + "a".repeat(5000), "example.com", "/" + "a".repeat(5000),
                Optional.empty(), Map.of(), Map.of(), "", "");

        assertFalse(Filter.parse("url:" + "*a".repeat(100) + "*b").matches(longUrl));
        assertTrue(Filter.parse("url:" + "*a".repeat(100) + "*").matches(longUrl));
        assertTrue(Filter.parse("url:HTTP://*.COM/a?a*").matches(longUrl), "without regard to case, ? one character");
        assertFalse(Filter.parse("url:http://example.com/a?").matches(longUrl), "the whole text");
    }

    /** Found by FilterFuzzTest: a path with a dot and slashes inside was cut at its second slash into two terms. */
    @Test
    void readsAPathWithSlashesInsideAsAPathEvenWithRegexCharacters() {
        Filter filter = Filter.parse("path:/api/v1.2/");
        Exchange v12 = new Sample("GET", "http://example.com/api/v1.2/users", "example.com", "/api/v1.2/users",
                Optional.empty(), Map.of(), Map.of(), "", "");

        assertEquals("path:\"/api/v1.2/\"", ((Filter.Written) filter).filter().toString());
        assertTrue(filter.matches(v12));
        assertFalse(filter.matches(API));
        assertEquals("path:/\\.json$/", ((Filter.Written) Filter.parse("path:/\\.json$/")).filter().toString(),
                "a regular expression without slashes inside is still one");
        assertTrue(Filter.parse("path:/^\\/v2\\/ord/").matches(API), "escaped slashes keep it a regular expression");
    }

    @ParameterizedTest(name = "{0} -> column {1}")
    @MethodSource("faults")
    void namesTheFaultAndItsColumn(String expression, int column, String message) {
        FilterException e = assertThrows(FilterException.class, () -> Filter.parse(expression));
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** An exchange made of plain values. */
    record Sample(String method, String url, String host, String pathAndQuery, Optional<Integer> status,
                  Map<String, String> request, Map<String, String> response, String requestBodyText,
                  String responseBodyText) implements Exchange {

        @Override
        public List<String> requestHeader(String name) {
            return values(request, name);
        }

        @Override
        public List<String> responseHeader(String name) {
            return values(response, name);
        }

        private static List<String> values(Map<String, String> fields, String name) {
            List<String> values = new ArrayList<>();
            fields.forEach((k, v) -> {
                if (k.equalsIgnoreCase(name)) {
                    values.add(v);
                }
            });
            return values;
        }
    }
}
