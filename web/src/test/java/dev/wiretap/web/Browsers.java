package dev.wiretap.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium for the browser tests: a WebDriver session through chromedriver (the UI's browser), and plain
 * headless runs that load a page through the proxy (the traffic's browser). Headless, no sandbox (CI runs as root),
 * no GPU, no background traffic of its own, a fresh profile each time. Tests are skipped where Chromium or
 * chromedriver is missing; .ci/run installs both.
 */
final class Browsers {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Browsers() {
    }

    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is not installed (Debian: apt-get install chromium)");
        assumeTrue(Files.isExecutable(CHROMEDRIVER), CHROMEDRIVER + " is not installed (Debian: apt-get install chromium-driver)");
    }

    private static List<String> commonFlags(Path profile) {
        return new ArrayList<>(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--no-first-run", "--no-default-browser-check", "--password-store=basic", "--disable-quic",
                "--user-data-dir=" + profile));
    }

    /** A WebDriver session on a 1280x720 window, driven through /usr/bin/chromedriver (never a downloaded one). */
    static ChromeDriver webDriver(Path profile) {
        return webDriver(profile, null);
    }

    /**
     * As {@link #webDriver(Path)}, saving downloads to {@code downloads} (when not null) without asking: set in the
     * profile's preferences, and for headless Chromium by the DevTools protocol too.
     */
    static ChromeDriver webDriver(Path profile, Path downloads) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(commonFlags(profile));
        options.addArguments("--window-size=1280,720");
        if (downloads != null) {
            options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                    "download.prompt_for_download", false, "download.directory_upgrade", true));
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        if (downloads != null) {
            driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        }
        return driver;
    }

    /**
     * Loads {@code url} through the proxy at {@code proxyPort} in a headless Chromium of its own (loopback included,
     * which Chromium otherwise sends direct) and returns the page's DOM once it has loaded.
     */
    static String loadThroughProxy(Path profile, int proxyPort, String url) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString()));
        command.addAll(commonFlags(profile));
        command.addAll(List.of("--proxy-server=127.0.0.1:" + proxyPort, "--proxy-bypass-list=<-loopback>",
                "--virtual-time-budget=3000", "--dump-dom", url));
        Path out = Files.createTempFile("wiretap-chromium-", ".html");
        Path err = Files.createTempFile("wiretap-chromium-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("Chromium did not finish loading " + url + " within 90 s");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
