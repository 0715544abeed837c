package dev.wiretap.web;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How the web UI does with 100,000 flows in the store. A measurement, not a test (times are printed, never asserted):
 * run by hand with
 *
 * <pre>./mvnw -q -pl web -am test-compile; java -cp "$(cat web/cp.txt):web/target/classes:web/target/test-classes" dev.wiretap.web.ManyFlowsCheck [FLOWS]</pre>
 *
 * (web/cp.txt from {@code ./mvnw -q -pl web dependency:build-classpath -Dmdep.outputFile=cp.txt}). It fills the store
 * with FLOWS small finished flows, then times the list API's first page, a whole reading page by page, and Chromium
 * opening the UI until its first rows show.
 */
public final class ManyFlowsCheck {

    private ManyFlowsCheck() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (WebUnderTest wiretap = WebUnderTest.start()) {
            List<Flow> flows = new ArrayList<>(count);
            for (int i = 1; i <= count; i++) {
                flows.add(flow(i));
            }
            wiretap.wiretap().importFlows(flows);
            System.out.println("held: " + wiretap.wiretap().history().size());
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                HttpResponse<String> first = wiretap.api("/api/flows?limit=2000");
                long t1 = System.nanoTime();
                int pages = 1;
                String next = field(first.body(), "next");
                while (!next.equals("null")) {
                    next = field(wiretap.api("/api/flows?limit=5000&before=" + next).body(), "next");
                    pages++;
                }
                long t2 = System.nanoTime();
                System.out.printf("first page (2000 rows, %d KiB): %.1f ms; whole reading (%d pages): %.1f ms%n",
                        first.body().length() / 1024, (t1 - t0) / 1e6, pages, (t2 - t1) / 1e6);
                long t3 = System.nanoTime();
                wiretap.api("/api/flows?limit=100&filter=path:/item/99999");
                System.out.printf("a rare filter's first page: %.1f ms%n", (System.nanoTime() - t3) / 1e6);
            }
            Browsers.assumeInstalled();
            ChromeDriver browser = Browsers.webDriver(Path.of(System.getProperty("java.io.tmpdir"), "wiretap-many-flows-" + ProcessHandle.current().pid()));
            try {
                browser.get(wiretap.web().url()); // sets the cookie
                for (int round = 0; round < 3; round++) {
                    long t0 = System.nanoTime();
                    browser.get(wiretap.url("/"));
                    new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> !d.findElements(By.cssSelector(".rows .row")).isEmpty());
                    long t1 = System.nanoTime();
                    new WebDriverWait(browser, Duration.ofSeconds(120)).until(d -> d.findElement(By.cssSelector(".status-bar .count"))
                            .getText().startsWith(count + " flows"));
                    long t2 = System.nanoTime();
                    System.out.printf("browser: first rows %.0f ms after opening; all %d rows read in %.0f ms; rows in the DOM: %d%n",
                            (t1 - t0) / 1e6, count, (t2 - t0) / 1e6, browser.findElements(By.cssSelector(".rows .row")).size());
                }
            } finally {
                browser.quit();
            }
        }
    }

    private static String field(String json, String name) {
        int at = json.lastIndexOf("\"" + name + "\":") + name.length() + 3;
        int end = at;
        while (end < json.length() && json.charAt(end) != ',' && json.charAt(end) != '}') {
            end++;
        }
        return json.substring(at, end);
    }

    private static Flow flow(long id) {
        Request request = new Request("GET", "http://shop.example/item/" + id, HttpVersion.HTTP_1_1,
                Headers.of("Host", "shop.example", "User-Agent", "check/1", "Accept", "*/*"), new byte[0]);
        request.setDestination(new Destination("http", "shop.example", 80, "/item/" + id));
        LiveFlow flow = new LiveFlow(id, new InetSocketAddress("127.0.0.1", 50000), Instant.now(), System.nanoTime(), request);
        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK", Headers.of("Content-Type", "application/json",
                "Content-Length", "27"), new byte[0]);
        response.setBody(Body.of(("{\"item\":" + id + ",\"ok\":true}").getBytes(StandardCharsets.UTF_8)));
        flow.setResponse(response);
        flow.complete(flow.startNanos() + 1_500_000);
        return flow;
    }

}
