package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.live.FlowPublisher;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI's list under more traffic than a list can show, in a real browser: a burst of flows far over a tick's rows
 * shows the newest and says the rest will come, and they do when the user stops following; the list never holds more
 * rows than wiretap's flow store, which lets the oldest go; flows that end out of order are listed in order; and a tab
 * that is hidden keeps the news without drawing it, and draws it when it shows again.
 */
class WebUiBusyBrowserTest {

    @TempDir
    Path dir;

    private WebUnderTest wiretap;
    private ChromeDriver browser;

    @BeforeAll
    static void installed() {
        Browsers.assumeInstalled();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (wiretap != null) {
            wiretap.close();
        }
    }

    private void open(WebUnderTest started) {
        wiretap = started;
        browser = Browsers.webDriver(dir.resolve("profile"));
        browser.get(wiretap.web().url());
        await(d -> d.findElement(By.cssSelector(".status-bar .stream")).getText().contains("live"));
    }

    @Test
    void aBurstBeyondWhatAListShowsComesNewestFirstAndTheRestWhenTheUserStopsFollowing() throws Exception {
        open(WebUnderTest.start());
        int burst = 5 * EventClient.MAX_ROWS_PER_EVENT;
        List<Flow> made = new ArrayList<>();
        for (int i = 1; i <= burst; i++) {
            made.add(flow(i));
        }
        // Stored, then announced all at once, as if they had ended within one tick.
        for (Flow flow : wiretap.wiretap().importFlows(made, f -> "")) {
            FlowPublisher.of(wiretap.wiretap().events()).publish(new FlowEvent.Completed(flow));
        }
        await(d -> d.findElement(By.cssSelector(".status-bar .gaps-note")).getText().startsWith("fast traffic"));
        String last = "/item/" + burst;
        await(d -> d.findElements(By.cssSelector(".rows .row .c-path")).stream().anyMatch(c -> c.getText().equals(last)));
        int shown = shown();
        assertTrue(shown < burst, "the list shows the newest, not all " + burst + ": " + shown);

        browser.findElement(By.cssSelector("button.follow")).click(); // Pause
        await(d -> shown() == burst);
        assertTrue(browser.findElements(By.cssSelector(".status-bar .gaps-note")).isEmpty());
    }

    @Test
    void theListHoldsNoMoreThanTheStoreWhichLetsTheOldestGo() throws Exception {
        // A store of 64 KiB holds a few dozen of these flows.
        open(WebUnderTest.start(s -> s.withCapture(s.capture().withStoreBudgetBytes(64 * 1024))));
        try (ShopOrigin shop = ShopOrigin.start()) {
            for (int i = 1; i <= 150; i++) {
                wiretap.getThroughProxy(shop.url("/api/user.json?n=" + i));
            }
            await(d -> d.findElements(By.cssSelector(".rows .row .c-path")).stream()
                    .anyMatch(c -> c.getText().equals("/api/user.json?n=150")));
            assertTrue(wiretap.wiretap().history().evictedCount() > 0, "the store let flows go");
            int held = wiretap.wiretap().history().size();
            await(d -> shown() <= held);
            assertEquals(held + " held by wiretap", browser.findElement(By.cssSelector(".status-bar .count")).getText()
                    .replaceAll("^.* · ", ""));
        }
    }

    @Test
    void flowsThatEndOutOfOrderAreListedInOrder() throws Exception {
        open(WebUnderTest.start());
        List<Flow> made = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            made.add(flow(i));
        }
        List<Flow> stored = wiretap.wiretap().importFlows(made, f -> "");
        // The even ones end first, the newest first; then, in a later tick, the odd ones go in among them.
        for (int i = stored.size() - 1; i >= 0; i -= 2) {
            FlowPublisher.of(wiretap.wiretap().events()).publish(new FlowEvent.Completed(stored.get(i)));
        }
        await(d -> shown() == 20);
        for (int i = stored.size() - 2; i >= 0; i -= 2) {
            FlowPublisher.of(wiretap.wiretap().events()).publish(new FlowEvent.Completed(stored.get(i)));
        }
        await(d -> shown() == 40);
        List<Long> ids = browser.findElements(By.cssSelector(".rows .row .c-id")).stream()
                .map(c -> Long.parseLong(c.getText().replaceAll("\\D", ""))).toList();
        assertTrue(ids.size() > 10, "rows in view: " + ids);
        assertEquals(ids.stream().sorted().toList(), ids, "in order");
        assertEquals(stored.get(stored.size() - 1).id(), ids.get(ids.size() - 1), "the newest last");
    }

    @Test
    void aHiddenTabKeepsTheNewsAndDrawsItWhenItShowsAgain() throws Exception {
        wiretap = WebUnderTest.start();
        browser = Browsers.webDriver(dir.resolve("profile"));
        // Counts the stream's flows events as the page gets them, before its own code does.
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source", """
                window.__flowsEvents = 0;
                const listen = EventSource.prototype.addEventListener;
                EventSource.prototype.addEventListener = function (type, listener, options) {
                  return listen.call(this, type, e => { if (type === 'flows') window.__flowsEvents++; listener(e); }, options);
                };"""));
        browser.get(wiretap.web().url());
        await(d -> d.findElement(By.cssSelector(".status-bar .stream")).getText().contains("live"));
        // The first read of the list is over (else it could read the flows below from the store and draw them at once).
        await(d -> d.findElement(By.cssSelector(".empty")).getText().startsWith("No flows yet"));
        browser.manage().window().minimize();
        assertEquals(true, browser.executeScript("return document.hidden"));
        List<Flow> made = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            made.add(flow(i));
        }
        for (Flow flow : wiretap.wiretap().importFlows(made, f -> "")) {
            FlowPublisher.of(wiretap.wiretap().events()).publish(new FlowEvent.Completed(flow));
        }
        await(d -> ((Number) browser.executeScript("return window.__flowsEvents")).intValue() > 0);
        assertEquals(0, shown(), "the news came, and is not drawn while the tab is hidden");
        assertTrue(browser.findElements(By.cssSelector(".rows .row")).isEmpty());

        browser.manage().window().maximize();
        await(d -> shown() == 30);
        await(d -> d.findElements(By.cssSelector(".rows .row .c-path")).stream().anyMatch(c -> c.getText().equals("/item/30")));
    }

    @Test
    void leavingThePageEndsItsStreamAndComingBackFollowsAgain() throws Exception {
        open(WebUnderTest.start());
        await(d -> wiretap.web().followers() == 1);
        browser.get("about:blank");
        // A browser may keep a page the user left, to show it again at once (its back-forward cache): the page ends
        // its stream as it goes, or wiretap would go on making rows for it. wiretap finds a stream closed when it next
        // writes to it, so flows come until it has.
        AtomicLong next = new AtomicLong();
        await(d -> {
            publish(next.incrementAndGet());
            return wiretap.web().followers() == 0;
        });

        browser.navigate().back();
        await(d -> d.findElement(By.cssSelector(".status-bar .stream")).getText().contains("live"));
        await(d -> wiretap.web().followers() == 1);
        long back = next.get() + 1;
        publish(back);
        await(d -> d.findElements(By.cssSelector(".rows .row .c-path")).stream().anyMatch(c -> c.getText().equals("/item/" + back)));
    }

    /** A flow stored, and announced as ended. */
    private void publish(long n) {
        Flow stored = wiretap.wiretap().importFlows(List.of(flow(n)), f -> "").get(0);
        FlowPublisher.of(wiretap.wiretap().events()).publish(new FlowEvent.Completed(stored));
    }

    /** The status bar's count of rows the list holds. */
    private int shown() {
        String count = browser.findElement(By.cssSelector(".status-bar .count")).getText();
        return Integer.parseInt(count.substring(0, count.indexOf(' ')));
    }

    private <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class).until(d -> {
                    T value = condition.apply(d);
                    return value instanceof Boolean b && !b ? null : value;
                });
    }

    private static Flow flow(long n) {
        Request request = new Request("GET", "http://shop.example/item/" + n, HttpVersion.HTTP_1_1,
                Headers.of("Host", "shop.example"), new byte[0]);
        request.setDestination(new Destination("http", "shop.example", 80, "/item/" + n));
        LiveFlow flow = new LiveFlow(n, new InetSocketAddress("127.0.0.1", 50000), Instant.now(), System.nanoTime(), request);
        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK", Headers.of("Content-Type", "text/plain"), new byte[0]);
        response.setBody(Body.of(("item " + n).getBytes(StandardCharsets.UTF_8)));
        flow.setResponse(response);
        flow.complete(flow.startNanos() + 1_000_000);
        return flow;
    }
}
