package org.tasklife.observer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.tasklife.ExitStatus;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/**
 * The observer's page in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs),
 * driven by Selenium: one browser for the class, a fresh workload and observer per test. Synchronised on page
 * content (WebDriverWait) and kernel events, never on sleeps.
 */
class ObserverBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Logger DRIVER_FINDER = Logger.getLogger("org.openqa.selenium.remote.service.DriverFinder");
    private static final List<String> FINDER_LOG = new ArrayList<>();
    private static final Handler FINDER_HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (FINDER_LOG) {
                FINDER_LOG.add(r.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private static Path profile;
    private static ChromeDriver browser;

    private final Workload w = new Workload();
    private final Observer observer = Observer.start(w.kernel);

    @BeforeAll
    static void startBrowser() throws IOException {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("%s and %s are needed (apt-get install chromium chromium-driver; .ci/run does it)", CHROMIUM,
                        CHROMEDRIVER)
                .isTrue();
        // Offline: the driver is given by path (service and system property), so Selenium Manager, which would
        // look for and download one, is never run; DriverFinder logs that it skipped it.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        DRIVER_FINDER.setLevel(Level.FINE);
        DRIVER_FINDER.addHandler(FINDER_HANDLER);
        profile = Files.createTempDirectory("tasklife-observer-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1100,640", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void quitBrowser() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            DRIVER_FINDER.removeHandler(FINDER_HANDLER);
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    @AfterEach
    void close() {
        observer.close();
        w.close();
    }

    /** Waits (WebDriverWait, {@link Await#LONG}) until {@code condition} holds; a timeout names it and the rows. */
    private static void until(String what, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, Await.LONG).withMessage(() -> what + "; the page's rows:\n"
                + browser.findElements(By.id("rows")).stream().map(WebElement::getText).findFirst().orElse("(none)"))
                .until(condition);
    }

    private String cell(String rowId, String cls) {
        List<WebElement> rows = browser.findElements(By.id(rowId));
        return rows.isEmpty() ? null : rows.get(0).findElement(By.className(cls)).getText();
    }

    private String taskRow(long id) {
        return "row-k1-t" + id;
    }

    /** Selenium ran the driver by path, not through Selenium Manager (which would download one). */
    @Test
    void browser_started_withTheSystemDriverAndNoSeleniumManager() throws IOException {
        String driver = CHROMEDRIVER.toRealPath().toString(); // Debian's is a link into /usr/lib/chromium
        synchronized (FINDER_LOG) {
            assertThat(FINDER_LOG).anySatisfy(m -> assertThat(m).startsWith("Skipping Selenium Manager")
                    .endsWith(driver));
        }
        assertThat(browser.getCapabilities().getBrowserName()).isEqualTo("chrome");
    }

    /** The page shows the known workload: the domain, its group and tasks, blocked states, wait channels, owners. */
    @Test
    void page_knownWorkload_showsTheTreeWithStatesWaitChannelsAndOwners() {
        browser.get(observer.pageUri().toString());

        until("handler-2 shown BLOCKED", d -> "BLOCKED".equals(cell(taskRow(w.handler2.id()), "c-state")));
        assertThat(cell(taskRow(w.handler2.id()), "c-name")).isEqualTo("handler-2");
        assertThat(cell(taskRow(w.handler2.id()), "c-wait")).isEqualTo("join(task " + w.handler1.id() + ")");
        assertThat(cell(taskRow(w.handler2.id()), "c-owner")).isEqualTo("group " + w.web.id() + " web");
        assertThat(cell(taskRow(w.handler1.id()), "c-wait")).startsWith("sleep");
        assertThat(cell("row-k1-d" + w.shop.id(), "c-name")).isEqualTo("domain shop");
        assertThat(cell("row-k1-d" + w.shop.id(), "c-state")).isEqualTo("RUNNING");
        assertThat(cell("row-k1-g" + w.web.id(), "c-owner")).isEqualTo("domain " + w.shop.id() + " shop");
        assertThat(cell("row-k1-g" + w.batch.id(), "c-name")).isEqualTo("group batch");
        assertThat(cell(taskRow(w.cruncher.id()), "c-state")).isEqualTo("BLOCKED");
        assertThat(cell("row-k1", "c-name")).isEqualTo("kernel obs");
        // tree order: the domain row, then its group, then the group's tasks
        List<String> ids = browser.findElements(By.cssSelector("#rows tr")).stream().map(e -> e.getAttribute("id"))
                .toList();
        assertThat(ids).containsSubsequence("row-k1-d" + w.shop.id(), "row-k1-g" + w.web.id(),
                taskRow(w.handler1.id()), taskRow(w.handler2.id()));
    }

    /** A kill clicked on the page ends that task, and its row updates in place (greyed "gone"); others go on. */
    @Test
    void killButton_clicked_endsThatTaskAndItsRowUpdates() throws Exception {
        browser.get(observer.pageUri().toString());
        until("cruncher shown BLOCKED", d -> "BLOCKED".equals(cell(taskRow(w.cruncher.id()), "c-state")));
        WebElement row = browser.findElement(By.id(taskRow(w.cruncher.id())));

        row.findElement(By.cssSelector("button.kill")).click();

        assertThat(Fixtures.ended(w.cruncher)).isInstanceOf(ExitStatus.Killed.class);
        until("cruncher's row shown gone", d -> "gone".equals(cell(taskRow(w.cruncher.id()), "c-state")));
        assertThat(browser.findElement(By.id(taskRow(w.cruncher.id())))).isEqualTo(row); // the same row, updated
        assertThat(row.getAttribute("class")).contains("gone");
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("killed task " + w.cruncher.id());
        assertThat(cell(taskRow(w.handler1.id()), "c-state")).isEqualTo("BLOCKED");
        assertThat(w.kernel.liveTaskCount()).isEqualTo(4);
        // a picture of the page with the killed row greyed, to look at (the README's: scripts/observer-screenshot)
        Path shot = Path.of("target", "observer.png");
        Files.createDirectories(shot.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A request from the page without the token changes nothing; the page without its token shows no data. */
    @Test
    void requestWithoutToken_fromTheBrowser_403AndNothingChanges() {
        browser.get(observer.uri().toString()); // no #token=
        until("the no-token notice", d -> d.findElement(By.id("notoken")).isDisplayed());
        assertThat(browser.findElements(By.cssSelector("#rows tr"))).isEmpty();

        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('/api/kill-task?kernel=1&id=' + arguments[0], {method: 'POST'})"
                        + ".then(r => done(r.status), e => done(String(e)));", w.cruncher.id());

        assertThat(status).isEqualTo(403L);
        assertThat(w.cruncher.isKilled()).isFalse();
        assertThat(w.kernel.liveTaskCount()).isEqualTo(5);
        browser.get(observer.pageUri().toString());
        browser.navigate().refresh(); // the fragment alone changed: load the page again with it
        until("cruncher shown BLOCKED", d -> "BLOCKED".equals(cell(taskRow(w.cruncher.id()), "c-state")));
    }

    /** The text filter keeps matching rows and their ancestors; clearing it brings every row back. */
    @Test
    void filter_typed_showsMatchingRowsAndTheirAncestors() {
        browser.get(observer.pageUri().toString());
        until("cruncher and handler-2 shown", d -> cell(taskRow(w.cruncher.id()), "c-state") != null
                && cell(taskRow(w.handler2.id()), "c-state") != null);
        WebElement filter = browser.findElement(By.id("filter"));

        filter.sendKeys("crunch");

        until("handler-2 filtered out", d -> d.findElements(By.id(taskRow(w.handler2.id()))).isEmpty());
        assertThat(browser.findElements(By.id(taskRow(w.cruncher.id())))).hasSize(1);
        assertThat(browser.findElements(By.id("row-k1-g" + w.batch.id()))).hasSize(1); // its group stays
        assertThat(browser.findElements(By.id("row-k1-d" + w.shop.id()))).isEmpty();
        filter.clear();
        filter.sendKeys(" ");
        until("handler-2 back", d -> !d.findElements(By.id(taskRow(w.handler2.id()))).isEmpty());
        assertThat(Map.of("handler-1", cell(taskRow(w.handler1.id()), "c-name"))).containsEntry("handler-1",
                "handler-1");
    }
}
