package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
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
 * The web UI's files in a real browser, end to end: Chromium under WebDriver, downloads saved to a directory of the
 * test's. A HAR of every flow and of the filtered ones downloaded and parsed; a Chrome HAR imported and its entries
 * listed; a file that is neither refused in words; a flow copied as curl through wiretap, run by the real curl, and the
 * resend listed; bodies saved as their decoded bytes; a session saved, the list cleared, and the session loaded back.
 * One browser for the class; screenshots go to target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiFilesBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static Path downloads;
    private static WebUnderTest wiretap;
    private static ShopOrigin shop;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Browsers.assumeInstalled();
        downloads = Files.createDirectories(dir.resolve("downloads"));
        wiretap = WebUnderTest.start(s -> s.withTls(s.tls().withConfigDir(dir.resolve("home"))));
        shop = ShopOrigin.start();
        browser = Browsers.webDriver(dir.resolve("ui-profile"), downloads);
        browser.get(wiretap.web().url());
        browser.executeCdpCommand("Browser.grantPermissions", Map.of("permissions",
                List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
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
        await(d -> !d.findElements(By.cssSelector(".flow-list")).isEmpty());
        for (WebElement close : browser.findElements(By.cssSelector(".modal .cancel"))) {
            close.click();
        }
        setFilter("");
        browser.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
    }

    @Test
    @Order(1)
    void aHarOfEveryFlowAndOfTheFilteredOnesIsDownloadedAndParses() throws Exception {
        wiretap.getThroughProxy(shop.url("/api/user.json?har=1"));
        wiretap.getThroughProxy(shop.url("/missing?har=1"));
        awaitRow("/missing?har=1");
        openFiles();
        screenshot("files-menu");
        browser.findElement(By.cssSelector(".files-menu button.har-all")).click();
        JsonNode all = JSON.readTree(awaitDownload(".har").toFile());
        assertEquals("wiretap", all.get("log").get("creator").get("name").asText());
        List<String> urls = urls(all);
        assertTrue(urls.containsAll(List.of(shop.url("/api/user.json?har=1"), shop.url("/missing?har=1"))), urls.toString());
        assertEquals(ShopOrigin.USER_JSON, entry(all, shop.url("/api/user.json?har=1")).get("response").get("content").get("text").asText());

        setFilter("status:404");
        await(d -> paths().equals(List.of("/missing?har=1")));
        openFiles();
        WebElement filtered = browser.findElement(By.cssSelector(".files-menu button.har-filtered"));
        assertEquals("Export HAR: the flows the filter shows", filtered.getText());
        filtered.click();
        JsonNode some = JSON.readTree(awaitDownload(".har").toFile());
        assertEquals(List.of(shop.url("/missing?har=1")), urls(some));
    }

    @Test
    @Order(2)
    void aChromeHarIsImportedAndItsEntriesAreListed() throws Exception {
        Path har = dir.resolve("shop.example.har");
        Files.writeString(har, FlowArchivesTest.CHROME_HAR);
        importFile(har);
        WebElement done = await(d -> d.findElement(By.cssSelector(".modal.import .ok-box")));
        assertTrue(done.getText().matches("Loaded 2 flows from shop\\.example\\.har \\(a HAR file written by WebInspector 537\\.36\\), numbered \\d+ to \\d+\\."),
                done.getText());
        screenshot("import");
        browser.findElement(By.cssSelector(".modal.import .cancel")).click();
        WebElement cart = awaitRow("/api/cart?id=7");
        assertEquals("shop.example", cart.findElement(By.cssSelector(".c-host")).getText());
        assertEquals("201", awaitRow("/api/order").findElement(By.cssSelector(".c-status")).getText());
        openFlow("/api/cart?id=7");
        WebElement tree = await(d -> d.findElement(By.cssSelector(".detail .json-tree")));
        assertTrue(tree.getText().contains("\"items\": ["), tree.getText());
    }

    @Test
    @Order(3)
    void aFileThatHoldsNoFlowsIsRefusedInWords() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "these are notes, not flows\n");
        importFile(text);
        WebElement error = await(d -> d.findElement(By.cssSelector(".modal.import .error-box")));
        assertEquals("notes.txt is neither a wiretap session file nor a HAR file", error.getText());
        browser.findElement(By.cssSelector(".modal.import .cancel")).click();
    }

    @Test
    @Order(4)
    void aFlowCopiedAsCurlThroughWiretapRunsWithTheRealCurlAndTheResendIsListed() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed");
        wiretap.getThroughProxy(shop.url("/api/user.json?curl=1"));
        long id = openFlow("/api/user.json?curl=1");
        browser.findElement(By.cssSelector(".detail .act-curl")).click();
        await(d -> d.findElement(By.cssSelector(".modal.curl pre.curl-text")));
        for (String option : List.of("proxy", "oneLine")) {
            WebElement box = browser.findElement(By.cssSelector(".modal.curl input[name=" + option + "]"));
            if (!box.isSelected()) {
                box.click();
            }
        }
        String shown = await(d -> {
            String t = d.findElement(By.cssSelector(".modal.curl pre.curl-text")).getText();
            return t.contains(" -x http://127.0.0.1:" + wiretap.wiretap().address().getPort()) && !t.contains("\n") ? t : null;
        });
        screenshot("curl");
        browser.findElement(By.cssSelector(".modal.curl button.copy")).click();
        await(d -> d.findElement(By.cssSelector(".flash")).getText().equals("The curl command is on the clipboard"));
        String copied = (String) browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "navigator.clipboard.readText().then(done, e => done('failed: ' + e))");
        assertEquals(shown, copied);

        Process sh = new ProcessBuilder("sh", "-c", copied).redirectErrorStream(true).start();
        String output = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(sh.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, sh.exitValue(), output);
        assertTrue(output.contains(ShopOrigin.USER_JSON), output);
        await(d -> rows("/api/user.json?curl=1").size() == 2);
        assertTrue(rows("/api/user.json?curl=1").stream().anyMatch(r -> Long.parseLong(r.getAttribute("data-id")) > id));
    }

    @Test
    @Order(5)
    void aBodyIsSavedAsItsDecodedBytes() throws Exception {
        wiretap.getThroughProxy(shop.url("/logo.png?save=1"));
        openFlow("/logo.png?save=1");
        await(d -> d.findElement(By.cssSelector(".detail .body-view .save-body"))).click();
        assertArrayEquals(shop.pngBytes(), Files.readAllBytes(awaitDownload("logo.png")));

        wiretap.getThroughProxy(shop.url("/api/orders.json?save=1"));
        openFlow("/api/orders.json?save=1");
        await(d -> d.findElement(By.cssSelector(".detail .body-view .save-body"))).click();
        assertEquals(ShopOrigin.ORDERS_JSON, Files.readString(awaitDownload("orders.json")), "saved gunzipped, as the browser would");

        wiretap.getThroughProxy(shop.url("/api/user.json?save=1"));
        long id = openFlow("/api/user.json?save=1");
        browser.findElement(By.cssSelector(".tabs button[data-tab=request]")).click();
        assertTrue(browser.findElements(By.cssSelector(".detail .body-view .save-body")).isEmpty(), "a GET has no body to save");
        wiretap.wiretap().clearFlows(); // the flow is let go while its detail is open
        browser.findElement(By.cssSelector(".tabs button[data-tab=response]")).click();
        await(d -> d.findElement(By.cssSelector(".detail .body-view .save-body"))).click();
        await(d -> d.findElement(By.cssSelector(".flash.bad")).getText().startsWith("flow " + id + " is not held"));
    }

    @Test
    @Order(6)
    void aSessionIsSavedAndLoadedBackAfterAClear() throws Exception {
        browser.navigate().refresh(); // the last test cleared the store behind the page's back
        wiretap.getThroughProxy(shop.url("/api/user.json?session=1"));
        wiretap.getThroughProxy(shop.url("/logo.png?session=1"));
        awaitRow("/api/user.json?session=1");
        awaitRow("/logo.png?session=1");
        List<String> before = paths();
        openFiles();
        browser.findElement(By.cssSelector(".files-menu button.session-save")).click();
        Path session = awaitDownload(".wiretap");

        browser.findElement(By.cssSelector("button.clear")).click();
        await(d -> d.findElement(By.cssSelector(".confirm button.danger"))).click();
        await(d -> paths().isEmpty());

        importFile(session);
        WebElement done = await(d -> d.findElement(By.cssSelector(".modal.import .ok-box")));
        assertTrue(done.getText().startsWith("Loaded " + before.size() + " flows from " + session.getFileName() + " (a wiretap session file written by wiretap "),
                done.getText());
        browser.findElement(By.cssSelector(".modal.import .cancel")).click();
        await(d -> paths().equals(before));
        openFlow("/api/user.json?session=1");
        WebElement tree = await(d -> d.findElement(By.cssSelector(".detail .json-tree")));
        assertTrue(tree.getText().contains("\"name\": \"Ada\""), tree.getText());
    }

    private static void openFiles() {
        browser.findElement(By.cssSelector("button.files")).click();
        await(d -> d.findElement(By.cssSelector(".files-menu")));
    }

    private static void importFile(Path file) {
        openFiles();
        browser.findElement(By.cssSelector(".files-menu input.import-file")).sendKeys(file.toString());
    }

    private static List<String> urls(JsonNode har) {
        List<String> urls = new ArrayList<>();
        har.get("log").get("entries").forEach(e -> urls.add(e.get("request").get("url").asText()));
        return urls;
    }

    private static JsonNode entry(JsonNode har, String url) {
        for (JsonNode e : har.get("log").get("entries")) {
            if (e.get("request").get("url").asText().equals(url)) {
                return e;
            }
        }
        throw new AssertionError("no entry for " + url);
    }

    /** The one new file in the download directory whose name ends with {@code suffix}, once Chromium finished it. */
    private static Path awaitDownload(String suffix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(downloads)) {
                List<Path> done = files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
                if (done.size() == 1) {
                    // Moved aside, so that the next download of that kind is the only one again.
                    Path taken = Files.createDirectories(dir.resolve("taken")).resolve(System.nanoTime() + "-" + done.getFirst().getFileName());
                    return Files.move(done.getFirst(), taken);
                }
                assertTrue(done.size() < 2, "more than one download ends with " + suffix + ": " + done);
            } catch (IOException e) {
                // a download renamed while listed: look again
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no download ending with " + suffix + " within 20 s");
    }

    private static long openFlow(String path) {
        WebElement row = awaitRow(path);
        row.click();
        browser.findElement(By.tagName("body")).sendKeys(Keys.ENTER);
        String id = row.getAttribute("data-id");
        await(d -> d.findElement(By.cssSelector(".detail[data-flow='" + id + "']")));
        return Long.parseLong(id);
    }

    private static <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class).until(d -> {
                    T value = condition.apply(d);
                    return value instanceof Boolean b && !b ? null : value;
                });
    }

    private static WebElement awaitRow(String path) {
        return await(d -> {
            List<WebElement> found = rows(path);
            if (found.isEmpty()) {
                throw new org.openqa.selenium.NoSuchElementException("no row for " + path);
            }
            return found.getFirst();
        });
    }

    private static List<WebElement> rows(String path) {
        return browser.findElements(By.cssSelector(".rows .row")).stream()
                .filter(r -> r.findElement(By.cssSelector(".c-path")).getText().equals(path)).toList();
    }

    private static List<String> paths() {
        return browser.findElements(By.cssSelector(".rows .row .c-path")).stream().map(WebElement::getText).toList();
    }

    private static void setFilter(String text) {
        WebElement input = browser.findElement(By.cssSelector("input[name=filter]"));
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
