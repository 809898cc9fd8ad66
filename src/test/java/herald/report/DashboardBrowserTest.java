package herald.report;

import static herald.report.ReportData.utc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import herald.report.ReportData.Account;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run
 * installs): sign in as a Campaign Viewer, read a campaign's row, watch a running campaign's bar
 * reach 100 % while its message rows change underneath, download the CSV and check it, and see
 * that a title made of markup stays text. Screenshots go to target/screenshots/.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String XSS_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>";

    private final HeraldServer herald = HeraldServer.shared();
    private final ReportData data = new ReportData(herald);
    private ChromeDriver browser;
    private Path downloads;
    private Path profile;

    @BeforeEach
    void startBrowser() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
        downloads = Files.createTempDirectory("herald-dashboard-downloads-");
        profile = Files.createTempDirectory("herald-chromium-profile-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1100", "--user-data-dir=" + profile);
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        // Naming the driver executable keeps Selenium Manager from looking for (or fetching) one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", downloads.toString(), "eventsEnabled", false));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        for (Path dir : new Path[] {downloads, profile}) {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void viewerSeesTheReportWatchesProgressAndDownloadsTheCsv() throws Exception {
        Account account = data.account();
        Map<String, Integer> finished = new LinkedHashMap<>();
        finished.put("Read", 12);
        finished.put("Delivered", 7);
        finished.put("Sent", 3);
        finished.put("Failed", 2);
        finished.put("Cancelled", 1);
        String done = data.campaign(account, "Autumn newsletter", "Partially Failed", utc("2030-11-02T10:00:00Z"), finished);
        String markup = data.campaign(account, XSS_TITLE, "Completed", utc("2030-11-03T10:00:00Z"), Map.of("Sent", 4));
        String runner = data.campaign(account, "Black Friday", "In Progress", utc("2030-11-04T10:00:00Z"),
                Map.of("Queued", 40));
        String viewer = HeraldServer.unique("dashviewer");
        String password = "viewer-password-" + viewer;
        herald.admin().post("/api/users", Map.of("username", viewer, "password", password, "role", "Campaign Viewer"))
                .expect(201);

        browser.get(herald.baseUrl() + "/dashboard/");
        WebElement user = waitFor(By.id("login-user"));
        screenshot("login");
        user.sendKeys(viewer);
        browser.findElement(By.id("login-password")).sendKeys("not-the-password");
        browser.findElement(By.id("login-submit")).click();
        waitUntil("the login form names the failure", () -> !text(By.id("login-error")).isEmpty());
        assertFalse(browser.findElement(By.id("dashboard")).isDisplayed(), "no dashboard without a login");
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        waitFor(By.cssSelector("#report-rows tr"));
        assertFalse(browser.findElement(By.id("login-form")).isDisplayed(), "the login form is gone once signed in");
        assertEquals(viewer, text(By.id("user-name")));
        assertNotNull(browser.executeScript("return sessionStorage.getItem('herald.authorization')"),
                "the credentials are kept for this tab only");

        new Select(browser.findElement(By.id("filter-account"))).selectByVisibleText(account.name());
        browser.findElement(By.id("apply-filters")).click();
        waitUntil("only this account's campaigns are listed, newest first",
                () -> List.of(runner, markup, done).equals(listedCampaigns()));

        WebElement row = row(done);
        assertEquals("Autumn newsletter", cell(row, 1));
        assertEquals(account.name(), cell(row, 3));
        assertEquals(account.templateName() + " (en)", cell(row, 4));
        assertEquals("Partially Failed", cell(row, 5));
        assertEquals(25, count(row, "total"));
        assertEquals(22, count(row, "sent"));
        assertEquals(19, count(row, "delivered"));
        assertEquals(12, count(row, "read"));
        assertEquals(2, count(row, "failed"));
        assertEquals(0, count(row, "queued"));
        assertEquals(1, count(row, "cancelled"));
        assertEquals("100.0 %", row.findElement(By.cssSelector("[data-col='completion']")).getText());
        WebElement totals = browser.findElement(By.id("totals-row"));
        assertEquals(25 + 4 + 40, count(totals, "total"));
        assertEquals(22 + 4, count(totals, "sent"));
        assertEquals(40, count(totals, "queued"));

        // Markup in a title is shown as the characters typed, and nothing of it runs.
        assertEquals(XSS_TITLE, cell(row(markup), 1));
        assertTrue(browser.findElements(By.cssSelector("#report-rows script, #report-rows img, #chart script")).isEmpty());
        assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert());
        assertFalse(browser.findElements(By.cssSelector("#chart g[data-campaign='" + done + "'] rect.failed")).isEmpty(),
                "the chart has the campaign's bars");
        screenshot("report");

        // The running campaign's bar follows its message rows as they are sent.
        By bar = By.cssSelector("#running-list li[data-campaign='" + runner + "'] [role='progressbar']");
        waitUntil("the running campaign has a bar at 0 %", () -> progress(bar) == 0.0);
        TreeSet<Double> seen = new TreeSet<>();
        for (int step = 0; step < 4; step++) {
            assertEquals(10, data.move(runner, "Queued", "Sent", 10));
            double expected = (step + 1) * 25.0;
            waitUntil("the bar shows " + expected + " %", () -> progress(bar) == expected);
            seen.add(progress(bar));
            if (step == 1) {
                screenshot("running-half");
            }
        }
        assertEquals(new TreeSet<>(List.of(25.0, 50.0, 75.0, 100.0)), seen);
        // Herald's reconciliation completes the campaign; the bar stays, showing the final status.
        waitUntil("the finished campaign is shown as Completed", () -> "Completed".equals(
                browser.findElement(By.cssSelector("#running-list li[data-campaign='" + runner + "']")).getDomAttribute("data-status")));
        assertEquals(100.0, progress(bar));
        screenshot("running-complete");

        // The CSV the button downloads has the same rows as the API's JSON for the same filters.
        browser.findElement(By.id("download-csv")).click();
        Path csvFile = waitForDownload();
        String csv = Files.readString(csvFile, StandardCharsets.UTF_8);
        ApiClient api = herald.anonymous().basic(viewer, password);
        JsonNode json = api.get("/api/reports/bulk-whatsapp-status?accountId=" + account.id()).json(200);
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv)).getRecords();
        assertEquals(json.path("rows").size() + 1, records.size(), csv);
        for (int i = 0; i < json.path("rows").size(); i++) {
            JsonNode r = json.path("rows").get(i);
            assertEquals(r.path("name").asText(), records.get(i).get("Name"));
            assertEquals(r.path("title").asText(), records.get(i).get("Title"));
            assertEquals(r.path("sent").asText(), records.get(i).get("Sent"));
            assertEquals(r.path("failed").asText(), records.get(i).get("Failed"));
        }
        assertEquals(XSS_TITLE, records.get(1).get("Title"));
        assertEquals("Total", records.get(records.size() - 1).get("Name"));
        assertEquals(json.path("totals").path("sent").asText(), records.get(records.size() - 1).get("Sent"));
        assertTrue(csvFile.getFileName().toString().matches("bulk-whatsapp-status-\\d{4}-\\d{2}-\\d{2}\\.csv"),
                csvFile.toString());

        browser.findElement(By.id("sign-out")).click();
        waitFor(By.id("login-user"));
        assertEquals(null, browser.executeScript("return sessionStorage.getItem('herald.authorization')"));
    }

    /** The campaigns in the table once it is loaded (none while it loads), read in one step. */
    private Object listedCampaigns() {
        return browser.executeScript("return document.getElementById('report-table').getAttribute('aria-busy') === 'false'"
                + " ? Array.from(document.querySelectorAll('#report-rows tr')).map(tr => tr.dataset.campaign) : null");
    }

    private WebElement row(String campaign) {
        return browser.findElement(By.cssSelector("#report-rows tr[data-campaign='" + campaign + "']"));
    }

    private static String cell(WebElement row, int index) {
        return row.findElements(By.tagName("td")).get(index).getText();
    }

    /** A count as shown, with the browser's thousands separators taken out. */
    private static long count(WebElement row, String column) {
        return Long.parseLong(row.findElement(By.cssSelector("[data-col='" + column + "']")).getText().replaceAll("[^0-9]", ""));
    }

    private double progress(By bar) {
        List<WebElement> found = browser.findElements(bar);
        if (found.isEmpty() || found.get(0).getDomAttribute("aria-valuenow") == null) {
            return -1;
        }
        return Double.parseDouble(found.get(0).getDomAttribute("aria-valuenow"));
    }

    private String text(By by) {
        return browser.findElement(by).getText();
    }

    private WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            List<WebElement> found = d.findElements(by);
            return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
        });
    }

    private void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, Duration.ofSeconds(45)).withMessage(what).until(d -> condition.getAsBoolean());
    }

    private Path waitForDownload() {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage("the CSV download").until(d -> {
            try (Stream<Path> files = Files.list(downloads)) {
                return files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** The whole page, not just the window: the window grows to the page's height first. */
    private void screenshot(String name) throws IOException {
        Number height = (Number) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1400, Math.max(900, height.intValue() + 100)));
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve("dashboard-" + name + "-" + herald.db() + ".png"), png);
    }
}
