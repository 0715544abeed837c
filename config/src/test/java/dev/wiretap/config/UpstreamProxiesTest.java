package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Choosing the upstream proxy per request: none, one for everything, or the environment's ({@code env}). */
class UpstreamProxiesTest {

    private static final Map<String, String> CORP = Map.of(
            "http_proxy", "http://alice:hunter2@proxy.corp:3128",
            "https_proxy", "https://secure-proxy.corp:8443",
            "no_proxy", "intranet.corp,10.0.0.0/8");

    @Test
    void sendsEverythingThroughOneProxy() {
        UpstreamProxies one = UpstreamProxies.parse("http://proxy.corp:3128", Map.of());
        UpstreamProxy proxy = UpstreamProxy.parse("http://proxy.corp:3128");

        assertEquals(Optional.of(proxy), one.proxyFor("http", "example.com", 80));
        assertEquals(Optional.of(proxy), one.proxyFor("https", "example.com", 443));
        assertEquals(Optional.of(proxy), one.proxyFor("http", "127.0.0.1", 8000), "a proxy named on its own takes everything");
    }

    @Test
    void readsNoneFromAnEmptyValue() {
        assertEquals(UpstreamProxies.NONE, UpstreamProxies.parse(" ", CORP));
        assertEquals(Optional.empty(), UpstreamProxies.NONE.proxyFor("http", "example.com", 80));
    }

    @Test
    void takesHttpProxyForPlainRequestsAndHttpsProxyForTunnels() {
        UpstreamProxies env = UpstreamProxies.parse("env", CORP);

        assertEquals("proxy.corp", env.proxyFor("http", "example.com", 80).orElseThrow().address().host());
        assertEquals("alice", env.proxyFor("http", "example.com", 80).orElseThrow().user());
        assertEquals("secure-proxy.corp", env.proxyFor("https", "example.com", 443).orElseThrow().address().host());
        assertEquals("secure-proxy.corp", env.proxyFor("tcp", "git.example.com", 22).orElseThrow().address().host());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"intranet.corp", "wiki.intranet.corp", "10.1.2.3", "localhost", "127.0.0.1", "127.8.9.10", "::1",
        "[::1]", "app.localhost"})
    void goesDirectlyToNoProxyHostsAndLoopback(String host) {
        UpstreamProxies env = UpstreamProxies.parse("env", CORP);

        assertEquals(Optional.empty(), env.proxyFor("http", host, 8080));
        assertEquals(Optional.empty(), env.proxyFor("https", host, 8443));
    }

    @Test
    void readsUpperCaseNamesWhenLowerCaseOnesAreNotSetAndPrefersLowerCase() {
        UpstreamProxies upper = UpstreamProxies.parse("env", Map.of("HTTP_PROXY", "http://upper:1", "HTTPS_PROXY", "http://upper:2",
                "NO_PROXY", "skip.example"));
        UpstreamProxies both = UpstreamProxies.parse("env", Map.of("HTTP_PROXY", "http://upper:1", "http_proxy", "http://lower:1"));

        assertEquals(2, upper.proxyFor("https", "example.com", 443).orElseThrow().address().port());
        assertEquals(Optional.empty(), upper.proxyFor("http", "skip.example", 80));
        assertEquals("lower", both.proxyFor("http", "example.com", 80).orElseThrow().address().host());
    }

    @Test
    void takesAValueWithoutASchemeAsHttpAsCurlDoes() {
        UpstreamProxies env = UpstreamProxies.parse("env", Map.of("https_proxy", "proxy.corp:3128"));

        UpstreamProxy proxy = env.proxyFor("https", "example.com", 443).orElseThrow();
        assertEquals("http://proxy.corp:3128", proxy.toString());
        assertEquals(Optional.empty(), env.proxyFor("http", "example.com", 80), "no http_proxy: plain HTTP goes directly");
    }

    @Test
    void goesDirectlyWhenTheEnvironmentNamesNoProxy() {
        UpstreamProxies.Environment env = (UpstreamProxies.Environment) UpstreamProxies.parse("env", Map.of("no_proxy", "x"));

        assertEquals(Optional.empty(), env.proxyFor("https", "example.com", 443));
        assertTrue(env.describe().contains("no http_proxy or https_proxy"), env.describe());
    }

    @Test
    void namesTheVariableThatCannotBeReadWithoutItsPassword() {
        String message = assertThrows(IllegalArgumentException.class, () -> UpstreamProxies.parse("env",
                Map.of("HTTPS_PROXY", "socks5://alice:hunter2@proxy.corp:1080"))).getMessage();
        String noProxy = assertThrows(IllegalArgumentException.class, () -> UpstreamProxies.parse("env",
                Map.of("no_proxy", "example.com:http"))).getMessage();

        assertTrue(message.startsWith("HTTPS_PROXY from the environment: "), message);
        assertFalse(message.contains("hunter2"), message);
        assertTrue(noProxy.startsWith("no_proxy from the environment: no_proxy entry 'example.com:http'"), noProxy);
    }

    @Test
    void showsItselfWithoutPasswordsAndHandsOnItsValueWithThem() {
        UpstreamProxies one = UpstreamProxies.parse("http://alice:hunter2@proxy.corp:3128", Map.of());
        UpstreamProxies.Environment env = (UpstreamProxies.Environment) UpstreamProxies.parse("env", CORP);

        assertEquals("http://alice:***@proxy.corp:3128", one.toString());
        assertEquals("http://alice:hunter2@proxy.corp:3128", one.configValue());
        assertEquals("env", env.toString());
        assertEquals("env", env.configValue());
        assertEquals("http: http://alice:***@proxy.corp:3128, https: https://secure-proxy.corp:8443; directly: loopback hosts,"
                + " no_proxy intranet.corp,10.0.0.0/8", env.describe());
    }
}
