package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * moving by keys, marking a paused flow, following the dark theme, clearing; and refusing a browser without the token or on a wrong Host, also through the proxy. One
 * browser for the class. Screenshots of the list and of a flow's detail go to target/screenshots.
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
        wiretap = WebUnderTest.start();
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
