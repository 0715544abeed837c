package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.RawClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser, end to end: a wiretap with its UI, a real origin, traffic from the JDK's HttpClient and
 * from a second Chromium loading a page through the proxy, and the UI in Chromium under WebDriver showing it live,
 * filtering it, pointing at a bad filter's fault, opening flows (fields as they flowed, JSON pretty-printed, an image),
 * moving by keys, marking a paused flow, following the dark theme, clearing; refusing a browser without the token or on
 * a wrong Host, also through the proxy; intercepting a request and editing it in the browser (the origin gets the
 * edited header), a mistake shown with its line, dropping; replaying as recorded and edited; a mock added to the config;
 * the rules and state view with the CA; a compressed body shown decoded and as it flowed. One browser for the class.
 * Screenshots go to target/screenshots (docs/screenshots holds copies for the README).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {

    @TempDir
    static Path dir;

    private static WebUnderTest wiretap;
    private static ShopOrigin shop;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Browsers.assumeInstalled();
        // Interception on, for the CA in the state view; the config directory the test's own, for the mock it adds.
        wiretap = WebUnderTest.start(s -> s.withTls(s.tls().withIntercept(true).withConfigDir(dir.resolve("home"))));
        shop = ShopOrigin.start();
        browser = Browsers.webDriver(dir.resolve("ui-profile"));
        browser.get(wiretap.web().url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (wiretap != null) {
            wiretap.close();
            shop.close();
        }
    }

    @BeforeEach
    void backToTheList() {
        if (!browser.getCurrentUrl().equals(wiretap.url("/"))) {
            browser.get(wiretap.url("/"));
        }
        await(d -> !d.findElements(By.cssSelector(".flow-list")).isEmpty());
        for (WebElement close : browser.findElements(By.cssSelector(".modal .close, .drawer .close"))) {
            close.click();
        }
        setFilter("filter", "");
        setFilter("highlight", "");
        browser.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
    }

    @Test
    @Order(1)
    void theTokenVisitLandsOnTheCleanAddressWithTheLiveList() {
        assertEquals(wiretap.url("/"), browser.getCurrentUrl(), "the token left the address bar");
        await(d -> d.findElement(By.cssSelector(".status-bar .stream")).getText().contains("live"));
    }

    @Test
    @Order(2)
    void newFlowsAppearLiveFromAClientAndFromABrowserThroughTheProxy() throws Exception {
        wiretap.getThroughProxy(shop.url("/api/user.json?from=httpclient"));
        awaitRow("/api/user.json?from=httpclient");

        String dom = Browsers.loadThroughProxy(dir.resolve("traffic-profile"), wiretap.wiretap().address().getPort(), shop.url("/page.html"));
        assertTrue(dom.contains("<h1>shop</h1>"), dom);
        awaitRow("/page.html");
        awaitRow("/logo.png");
        awaitRow("/api/user.json");
        WebElement row = awaitRow("/page.html");
        assertEquals("200", row.findElement(By.cssSelector(".c-status")).getText());
        assertTrue(row.getAttribute("class").contains("st-2xx"), row.getAttribute("class"));
        screenshot("list");
    }

    @Test
    @Order(3)
    void aFilterNarrowsTheListAndAHighlightMarksRows() throws Exception {
        wiretap.getThroughProxy(shop.url("/logo.png"));
        wiretap.getThroughProxy(shop.url("/missing"));
        awaitRow("/missing");
        setFilter("filter", "path:/logo");
        await(d -> paths().stream().allMatch(p -> p.startsWith("/logo")) && !paths().isEmpty());
        setFilter("filter", "");
        await(d -> paths().contains("/missing"));
        setFilter("highlight", "status:404");
        await(d -> rowFor("/missing").getAttribute("class").contains("highlighted"));
        assertFalse(rowFor("/logo.png").getAttribute("class").contains("highlighted"));
    }

    @Test
    @Order(4)
    void aBadFilterShowsItsErrorWithTheCaretUnderTheFault() {
        setFilter("filter", "host:a & (path:/b");
        WebElement error = await(d -> d.findElement(By.cssSelector(".filter.filter .filter-error")));
        assertEquals("host:a & (path:/b\n         ^", error.findElement(By.cssSelector(".caret-line")).getText());
        assertTrue(error.getText().contains("column 10: the '(' here is never closed"), error.getText());
        setFilter("filter", "");
        await(d -> d.findElements(By.cssSelector(".filter-error")).isEmpty());
    }

    @Test
    @Order(5)
    void openingAFlowShowsItsFieldsAsTheyFlowedAndItsJsonPrettyPrinted() throws Exception {
        wiretap.getThroughProxy(shop.url("/api/user.json?open=1"));
        awaitRow("/api/user.json?open=1").click();
        browser.findElement(By.tagName("body")).sendKeys(Keys.ENTER);
        WebElement detail = await(d -> d.findElement(By.cssSelector(".detail[data-flow] .json-tree")));
        assertTrue(detail.getText().contains("\"name\": \"Ada\""), detail.getText());
        assertTrue(detail.getText().contains("\"roles\": ["), detail.getText());
        List<String> fields = browser.findElements(By.cssSelector(".detail table.fields th")).stream().map(WebElement::getText).toList();
        assertEquals(List.of("Content-Type", "X-Dup", "x-lower-case", "X-Dup", "Content-Length"), fields);
        screenshot("detail");
        browser.findElement(By.cssSelector(".detail summary")).click(); // folds the document
        await(d -> d.findElement(By.cssSelector(".json-tree details")).getAttribute("open") == null);
    }

    @Test
    @Order(6)
    void anImageBodyIsShownAsAnImage() throws Exception {
        wiretap.getThroughProxy(shop.url("/logo.png?open=1"));
        awaitRow("/logo.png?open=1").click();
        browser.findElement(By.tagName("body")).sendKeys(Keys.ENTER);
        WebElement image = await(d -> d.findElement(By.cssSelector(".detail .image img")));
        await(d -> Long.valueOf(3).equals(((ChromeDriver) d).executeScript("return arguments[0].naturalWidth", image)));
    }

    @Test
    @Order(7)
    void keysMoveTheSelectionAndOpenTheFlow() throws Exception {
        wiretap.getThroughProxy(shop.url("/keys/one"));
        wiretap.getThroughProxy(shop.url("/keys/two"));
        awaitRow("/keys/two");
        awaitRow("/keys/one").click();
        browser.findElement(By.tagName("body")).sendKeys("j");
        await(d -> rowFor("/keys/two").getAttribute("class").contains("selected"));
        browser.findElement(By.tagName("body")).sendKeys("k");
        await(d -> rowFor("/keys/one").getAttribute("class").contains("selected"));
        browser.findElement(By.tagName("body")).sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        await(d -> d.findElement(By.cssSelector(".detail .url")).getText().endsWith("/keys/two"));
        browser.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
        await(d -> d.findElements(By.cssSelector(".detail")).isEmpty());
    }

    @Test
    @Order(8)
    void aPausedFlowIsMarkedAndGoesOnWhenResumed() throws Exception {
        wiretap.wiretap().intercept().setFilter(dev.wiretap.config.filter.Filter.parse("path:/paused"), false);
        Thread client = Thread.ofVirtual().start(() -> {
            try {
                wiretap.getThroughProxy(shop.url("/paused"));
            } catch (Exception e) {
                // the assertions below say what went wrong
            }
        });
        try {
            WebElement row = awaitRow("/paused");
            await(d -> rowFor("/paused").getAttribute("class").contains("state-paused"));
            assertEquals("paused", rowFor("/paused").findElement(By.cssSelector(".c-durationMs")).getText());
            assertEquals("paused", rowFor("/paused").findElement(By.cssSelector(".mark.paused")).getAttribute("title"));
            screenshot("paused");
            long id = Long.parseLong(row.getAttribute("data-id"));
            assertTrue(wiretap.wiretap().intercept().resume(id));
            await(d -> rowFor("/paused").getAttribute("class").contains("state-done"));
            assertEquals("404", rowFor("/paused").findElement(By.cssSelector(".c-status")).getText());
        } finally {
            wiretap.wiretap().intercept().clearFilter();
            client.join(10_000);
        }
    }

    @Test
    @Order(9)
    void followsTheSystemsDarkTheme() throws Exception {
        browser.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
                List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
        try {
            String background = (String) browser.executeScript("return getComputedStyle(document.body).backgroundColor");
            assertEquals("rgb(30, 31, 34)", background);
            awaitRow("/paused").click();
            browser.findElement(By.tagName("body")).sendKeys(Keys.ENTER);
            await(d -> d.findElement(By.cssSelector(".detail[data-flow]")));
            browser.findElement(By.cssSelector(".tabs button[data-tab=timing]")).click();
            await(d -> !d.findElements(By.cssSelector(".timing .bar .phase")).isEmpty());
            screenshot("timing-dark");
        } finally {
            browser.executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
                    List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "light"))));
        }
        assertEquals("rgb(255, 255, 255)", browser.executeScript("return getComputedStyle(document.body).backgroundColor"));
    }

    @Test
    @Order(10)
    void withoutTheTokenTheBrowserGets401AndNothingElse() {
        browser.manage().deleteAllCookies();
        browser.get(wiretap.url("/"));
        assertTrue(browser.getPageSource().contains("this needs wiretap's web token"), browser.getPageSource());
        assertTrue(browser.findElements(By.id("app")).isEmpty());
        browser.get(wiretap.url("/api/flows"));
        assertTrue(browser.getPageSource().contains("\"status\":401"), browser.getPageSource());
        browser.get(wiretap.web().url());
        await(d -> !d.findElements(By.cssSelector(".flow-list")).isEmpty());
    }

    @Test
    @Order(11)
    void aWrongHostIsRefusedAlsoThroughTheProxy() throws Exception {
        String dom = Browsers.loadThroughProxy(dir.resolve("rebind-profile"), wiretap.wiretap().address().getPort(),
                "http://rebind.test:" + wiretap.port() + "/?token=" + wiretap.web().token());
        assertTrue(dom.contains("is not this UI's address"), dom);
        assertFalse(dom.contains("importmap"), dom);
    }

    @Test
    @Order(11)
    void aSocketsMessagesTabGrowsLive() throws Exception {
        try (dev.wiretap.proxy.testing.TestOrigin echo = dev.wiretap.proxy.testing.TestOrigin.start(new dev.wiretap.proxy.testing.WebSocketEcho());
             dev.wiretap.proxy.testing.RawClient client = WebSocketApiTest.openSocket(wiretap, echo)) {
            WebSocketApiTest.say(client, "before the tab opened");
            WebSocketApiTest.socketFlow(wiretap, 2);
            awaitRow("/live").click();
            browser.findElement(By.tagName("body")).sendKeys(Keys.ENTER);
            await(d -> d.findElement(By.cssSelector(".tabs button[data-tab=messages]"))).click();
            await(d -> d.findElements(By.cssSelector(".ws-table tr.ws-msg")).size() == 2);
            assertTrue(browser.findElement(By.cssSelector(".ws-table tr.ws-send")).getText().contains("before the tab opened"));
            WebSocketApiTest.say(client, "while it is open");
            await(d -> d.findElements(By.cssSelector(".ws-table tr.ws-msg")).size() == 4);
            assertTrue(browser.findElement(By.cssSelector(".ws-messages")).getText().contains("while it is open"));
            screenshot("messages");
        }
    }

    @Test
    @Order(12)
    void clearAsksFirstThenEmptiesTheList() throws Exception {
        wiretap.getThroughProxy(shop.url("/before-clear"));
        awaitRow("/before-clear");
        browser.findElement(By.cssSelector("button.clear")).click();
        WebElement confirm = await(d -> d.findElement(By.cssSelector(".confirm")));
        assertTrue(confirm.getText().startsWith("Forget "), confirm.getText());
        assertFalse(paths().isEmpty(), "nothing is forgotten before the answer");
        confirm.findElement(By.cssSelector("button.danger")).click();
        await(d -> paths().isEmpty());
        wiretap.getThroughProxy(shop.url("/after-clear"));
        awaitRow("/after-clear");
        assertEquals(List.of("/after-clear"), paths());
    }

    @Test
    @Order(13)
    void interceptingARequestAndEditingAHeaderInTheBrowserMakesTheOriginReceiveIt() throws Exception {
        browser.findElement(By.cssSelector("button.panel-intercept")).click();
        await(d -> d.findElement(By.cssSelector("input[name=intercept]"))).sendKeys("path:/intercept-me");
        browser.findElement(By.cssSelector(".intercept-form button.apply")).click();
        await(d -> wiretap.wiretap().intercept().filter().map(f -> f.toString().equals("path:/intercept-me")).orElse(false));
        try {
            CompletableFuture<RawClient.Response> client = sendThroughProxy("/intercept-me");
            WebElement paused = await(d -> d.findElement(By.cssSelector(".paused-flow")));
            String left = paused.findElement(By.cssSelector(".left")).getText();
            assertTrue(left.matches("[45]:\\d\\d left"), left);
            await(d -> !d.findElement(By.cssSelector(".paused-flow .left")).getText().equals(left)); // it counts down
            await(d -> rowFor("/intercept-me").getAttribute("class").contains("state-paused"));
            assertEquals("1", browser.findElement(By.cssSelector("button.panel-intercept .badge")).getText().strip());
            assertFalse(shop.received("/intercept-me"), "nothing reached the origin while paused");
            screenshot("intercept");

            paused.findElement(By.cssSelector("button.edit")).click();
            WebElement text = await(d -> d.findElement(By.cssSelector("textarea.message-text")));
            assertTrue(text.getAttribute("value").contains("\nX-Test: original\n"), text.getAttribute("value"));
            setValue(text, text.getAttribute("value").replace("X-Test: original", "X-Test: edited in the browser"));
            screenshot("editor");
            browser.findElement(By.cssSelector(".modal button.act-save-resume")).click();

            assertEquals("edited in the browser", Heads.value(shop.headFor("/intercept-me"), "X-Test"));
            assertEquals(404, client.get(10, TimeUnit.SECONDS).status());
            await(d -> d.findElements(By.cssSelector(".paused-flow")).isEmpty() && d.findElements(By.cssSelector(".modal")).isEmpty());
            await(d -> rowFor("/intercept-me").getAttribute("class").contains("state-done"));
        } finally {
            wiretap.wiretap().intercept().clearFilter();
        }
    }

    @Test
    @Order(14)
    void aMistakeInTheEditorIsShownWithItsLineAndDropCutsTheClientOff() throws Exception {
        browser.findElement(By.cssSelector("button.panel-intercept")).click();
        WebElement input = await(d -> d.findElement(By.cssSelector("input[name=intercept]")));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE, "path:/drop-me");
        browser.findElement(By.cssSelector(".intercept-form button.apply")).click();
        await(d -> wiretap.wiretap().intercept().filter().map(f -> f.toString().equals("path:/drop-me")).orElse(false));
        try {
            CompletableFuture<RawClient.Response> client = sendThroughProxy("/drop-me");
            await(d -> d.findElement(By.cssSelector(".paused-flow button.edit"))).click();
            WebElement text = await(d -> d.findElement(By.cssSelector("textarea.message-text")));
            String value = text.getAttribute("value");
            setValue(text, value.substring(0, value.indexOf('\n') + 1) + "Not a field\n" + value.substring(value.indexOf('\n') + 1));
            browser.findElement(By.cssSelector(".modal button.act-save")).click();
            WebElement error = await(d -> d.findElement(By.cssSelector(".modal .edit-error")));
            assertEquals("line 2: 'Not a field' is not a field (Name: value); an empty line must come before the body", error.getText());
            assertEquals("2", browser.findElement(By.cssSelector(".modal .gutter .bad")).getText());
            browser.findElement(By.cssSelector(".modal button.cancel")).click();
            await(d -> d.findElements(By.cssSelector(".modal")).isEmpty());
            assertEquals(false, wiretap.wiretap().intercept().paused().getFirst().edited(), "the mistake changed nothing");

            browser.findElement(By.cssSelector(".paused-flow button.drop")).click();
            assertTrue(client.handle((r, e) -> e != null || r == null).get(10, TimeUnit.SECONDS), "the dropped client got no answer");
            await(d -> rowFor("/drop-me").getAttribute("class").contains("state-failed"));
            assertFalse(shop.received("/drop-me"), "nothing reached the origin");
        } finally {
            wiretap.wiretap().intercept().clearFilter();
        }
    }

    @Test
    @Order(15)
    void aFlowIsReplayedAsRecordedAndEditedFirst() throws Exception {
        wiretap.getThroughProxy(shop.url("/api/user.json?replay=1"));
        shop.headFor("/api/user.json?replay=1");
        long original = openFlow("/api/user.json?replay=1");
        browser.findElement(By.cssSelector(".detail .act-replay")).click();
        shop.headFor("/api/user.json?replay=1");
        // The replay opens when it ends: a new flow of the same URL, marked as a replay.
        await(d -> !d.findElement(By.cssSelector(".detail[data-flow]")).getAttribute("data-flow").equals(Long.toString(original)));
        long replay = Long.parseLong(browser.findElement(By.cssSelector(".detail[data-flow]")).getAttribute("data-flow"));
        assertTrue(replay > original);
        assertEquals(shop.url("/api/user.json?replay=1"), browser.findElement(By.cssSelector(".detail .url")).getText());
        assertEquals("a replay of #" + original, browser.findElement(By.cssSelector(".rows .row[data-id='" + replay + "'] .mark.replay"))
                .getAttribute("title"));

        browser.findElement(By.cssSelector(".detail .act-replay-edit")).click();
        WebElement text = await(d -> d.findElement(By.cssSelector("textarea.message-text")));
        setValue(text, text.getAttribute("value").replace("?replay=1", "?replay=2"));
        browser.findElement(By.cssSelector(".modal button.act-replay")).click();
        shop.headFor("/api/user.json?replay=2");
        awaitRow("/api/user.json?replay=2");
    }

    @Test
    @Order(16)
    void aFlowBecomesAMockRuleThatIsAddedToTheConfig() throws Exception {
        wiretap.getThroughProxy(shop.url("/api/user.json?mock=1"));
        long id = openFlow("/api/user.json?mock=1");
        browser.findElement(By.cssSelector(".detail .act-mock")).click();
        WebElement yaml = await(d -> d.findElement(By.cssSelector(".modal pre.yaml")));
        assertTrue(yaml.getText().contains("- name: mock flow " + id), yaml.getText());
        screenshot("mock");
        browser.executeCdpCommand("Browser.grantPermissions", java.util.Map.of("permissions",
                List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        browser.findElement(By.cssSelector(".modal button.copy")).click();
        await(d -> d.findElement(By.cssSelector(".flash")).getText().startsWith("The rule is on the clipboard"));
        String copied = (String) browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, e => done('failed: ' + e))");
        assertEquals(yaml.getText().strip(), copied.strip());
        browser.findElement(By.cssSelector(".modal button.add")).click();
        WebElement done = await(d -> d.findElement(By.cssSelector(".modal .ok-box")));
        assertTrue(done.getText().startsWith("made " + dir.resolve("home").resolve("config.yaml") + " with rule 'mock flow " + id + "'"),
                done.getText());
        browser.findElement(By.cssSelector(".modal button.cancel")).click();

        HttpResponse<byte[]> mocked = wiretap.getThroughProxy(shop.url("/api/user.json?mock=1"));
        assertEquals(ShopOrigin.USER_JSON, new String(mocked.body(), java.nio.charset.StandardCharsets.UTF_8));
        await(d -> paths().stream().filter(p -> p.equals("/api/user.json?mock=1")).count() == 2);
        await(d -> browser.findElements(By.cssSelector(".rows .row .c-rules")).stream().anyMatch(c -> c.getText().equals("mock flow " + id)));
    }

    @Test
    @Order(17)
    void theStateViewShowsTheCountersTheRulesWithTheirCountsAndTheCa() throws Exception {
        browser.findElement(By.cssSelector("button.panel-state")).click();
        WebElement flows = await(d -> d.findElement(By.cssSelector(".counters tr[data-counter='Flows'] td")));
        assertTrue(flows.getText().matches("\\d+ seen, \\d+ held, 0 let go for room, \\d+ in flight, 0 paused"), flows.getText());
        String clients = browser.findElement(By.cssSelector(".counters tr[data-counter='Client connections'] td")).getText();
        assertTrue(clients.matches("\\d+ accepted, \\d+ open \\(at most 10000\\)"), clients);
        String inFlight = browser.findElement(By.cssSelector(".counters tr[data-counter='Bodies in flight'] td")).getText();
        assertTrue(inFlight.contains(" of a "), inFlight);
        WebElement rule = await(d -> d.findElement(By.cssSelector(".rules .rule")));
        assertTrue(rule.findElement(By.cssSelector(".name")).getText().startsWith("mock flow "));
        await(d -> d.findElement(By.cssSelector(".rules .rule .applied")).getText().equals("1 flow"));
        var ca = wiretap.wiretap().certificateAuthority().orElseThrow();
        assertEquals(ca.fingerprint(), await(d -> d.findElement(By.cssSelector(".ca .fingerprint"))).getText());
        String pem = (String) browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(document.querySelector('.ca a.pem').href).then(r => r.text()).then(done, e => done(String(e)))");
        assertEquals(ca.certificatePem(), pem);
        screenshot("state");
    }

    @Test
    @Order(18)
    void aCompressedBodyIsShownDecodedAndAsItFlowed() throws Exception {
        wiretap.getThroughProxy(shop.url("/api/orders.json"));
        openFlow("/api/orders.json");
        WebElement tree = await(d -> d.findElement(By.cssSelector(".detail .json-tree")));
        assertTrue(tree.getText().contains("\"item\": \"teapot\""), tree.getText());
        assertTrue(browser.findElement(By.cssSelector(".detail .note.decoded")).getText().startsWith("Decoded from gzip: "));
        browser.findElement(By.cssSelector(".detail .body-view .view-wire")).click();
        String hex = await(d -> d.findElement(By.cssSelector(".detail pre.hex.wire"))).getText();
        assertTrue(hex.startsWith("00000000  1f 8b 08"), hex);
    }

    @Test
    @Order(30)
    void screenshotsForTheReadme() throws Exception {
        wiretap.getThroughProxy(shop.url("/missing"));
        Browsers.loadThroughProxy(dir.resolve("readme-profile"), wiretap.wiretap().address().getPort(), shop.url("/page.html"));
        wiretap.getThroughProxy(shop.url("/api/orders.json?page=2"));
        setFilter("filter", "host:127.0.0.1"); // the traffic browser's own calls home (google.com) left out
        setFilter("highlight", "status:4xx");
        awaitRow("/api/orders.json?page=2");
        await(d -> paths().stream().noneMatch(String::isEmpty) && rowFor("/missing").getAttribute("class").contains("highlighted"));
        screenshot("readme-list");
        openFlow("/api/orders.json?page=2");
        await(d -> d.findElement(By.cssSelector(".detail .json-tree")));
        screenshot("readme-detail");
    }

    /** Opens the flow whose row shows {@code path}; returns its number. */
    private static long openFlow(String path) {
        WebElement row = awaitRow(path);
        row.click();
        browser.findElement(By.tagName("body")).sendKeys(Keys.ENTER);
        String id = row.getAttribute("data-id");
        await(d -> d.findElement(By.cssSelector(".detail[data-flow='" + id + "']")));
        return Long.parseLong(id);
    }

    /**
     * A GET through the proxy with {@code X-Test: original}, on a thread of its own (it may be paused): from a raw client,
     * which unlike the JDK's never sends a request again when its connection is cut (a drop).
     */
    private static CompletableFuture<RawClient.Response> sendThroughProxy(String path) {
        return CompletableFuture.supplyAsync(() -> {
            try (RawClient client = new RawClient(wiretap.wiretap().address())) {
                client.send("GET " + shop.url(path) + " HTTP/1.1\r\nHost: 127.0.0.1:" + shop.port() + "\r\nX-Test: original\r\n\r\n");
                return client.readResponse();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }

    /** Sets a text field's value as typing would (Preact hears the input event); quicker than typing a whole message. */
    private static void setValue(WebElement field, String value) {
        browser.executeScript("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
                field, value);
    }

    private static <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class).until(d -> {
                    T value = condition.apply(d);
                    return value instanceof Boolean b && !b ? null : value;
                });
    }

    private static WebElement awaitRow(String path) {
        return await(d -> rowFor(path));
    }

    private static WebElement rowFor(String path) {
        for (WebElement row : browser.findElements(By.cssSelector(".rows .row"))) {
            if (row.findElement(By.cssSelector(".c-path")).getText().equals(path)) {
                return row;
            }
        }
        throw new org.openqa.selenium.NoSuchElementException("no row for " + path);
    }

    private static List<String> paths() {
        return browser.findElements(By.cssSelector(".rows .row .c-path")).stream().map(WebElement::getText).toList();
    }

    private static void setFilter(String name, String text) {
        WebElement input = browser.findElement(By.cssSelector("input[name=" + name + "]"));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        if (!text.isEmpty()) {
            input.sendKeys(text);
        }
    }

    private static void screenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots");
        Files.createDirectories(target);
        Files.write(target.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
