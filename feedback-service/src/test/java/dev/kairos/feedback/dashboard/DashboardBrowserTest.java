package dev.kairos.feedback.dashboard;

import dev.kairos.feedback.auth.MarketerAccounts;
import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.store.OutcomeRow;
import dev.kairos.feedback.support.RulesServerStub;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs): sign-in, charts drawn from data, a filter that redraws them, and
 * a screenshot in {@code target/dashboard.png}.
 */
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static TestService service;
    static WebDriver browser;
    static RulesServerStub rulesServer;
    static final String MARKETER_PASSWORD = "s3cret marketer pass";

    @BeforeAll
    static void start() {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("needs chromium and chromedriver: apt-get install chromium chromium-driver (.ci/run does)").isTrue();
        rulesServer = new RulesServerStub("""
                {"versions": [{"id": "v1", "status": "active", "rules": ["Cart reminder", "Evening offer", "Winter sale"]},
                              {"id": "v2", "status": "canary", "rules": ["Cart reminder", "Evening offer", "Spring teaser"]}],
                 "state": {"active": "v1", "canary": "v2", "canaryPercent": 20.0, "history": [],
                           "changes": [{"at": "2026-12-01T09:00:00Z", "action": "canary", "version": "v3", "by": "admin", "reason": "20.0 % of users"},
                                       {"at": "2026-12-01T09:04:12Z", "action": "auto-rollback", "version": "v3", "by": "breaker",
                                        "reason": "circuit breaker: 12 of the last 1000 evaluations failed (12 past the deadline, 0 errors)"},
                                       {"at": "2026-12-02T10:00:00Z", "action": "canary", "version": "v2", "by": "admin", "reason": "20.0 % of users"}]}}
                """);
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false,
                "kairos.feedback.rules-server-url", rulesServer.url(),
                "kairos.feedback.marketers", "ana:" + MarketerAccounts.hash(MARKETER_PASSWORD.toCharArray())));
        seed();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,2600");
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (service != null) service.close();
        if (rulesServer != null) rulesServer.close();
    }

    /**
     * Two rules on two placements over the last three days: "Evening offer" on home_banner (90 shown),
     * "Cart reminder" on product_page (30); experiment variants A and B (60 shown each); rules version
     * v1, and on the latest day v2 as a canary for 8 of the 40 decisions.
     */
    static void seed() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
        List<DecisionRow> decisions = new ArrayList<>();
        List<OutcomeRow> outcomes = new ArrayList<>();
        for (int day = 1; day <= 3; day++) {
            Instant at = now.minus(Duration.ofDays(day)).plusSeconds(60);
            for (int i = 0; i < 40; i++) {
                boolean offer = i % 4 != 0;
                String id = "d" + day + "-" + i, user = "u" + i, placement = offer ? "home_banner" : "product_page";
                String rule = offer ? "Evening offer" : "Cart reminder";
                // Variants A and B alternate; on the latest day one decision in five came from the canary rules version v2.
                boolean canary = day == 1 && i % 5 == 0;
                decisions.add(new DecisionRow(id, at.toEpochMilli(), user, null, canary ? "v2" : "v1", "default", canary,
                        i % 2 == 0 ? "A" : "B", i / 40.0, 0.5, 0.5, 0.5,
                        null, List.of(rule), List.of(new DecisionRow.PlacementRow(placement, rule, "c", false)), List.of()));
                outcomes.add(new OutcomeRow(id + "/i", id, placement, "impression", user, rule, null, at.toEpochMilli(), at.toEpochMilli()));
                if (i % (2 + day) == 0) outcomes.add(new OutcomeRow(id + "/c", id, placement, "click", user, rule, null, at.toEpochMilli(), at.toEpochMilli()));
            }
        }
        service.store().saveDecisions(decisions);
        service.store().saveOutcomes(outcomes);
        // What the learned models would have stored: a conversion predictor in use, and two segments.
        dev.kairos.feedback.learn.UserModelStore learned = service.server.getApplicationContext().getBean(dev.kairos.feedback.learn.UserModelStore.class);
        learned.save(new dev.kairos.feedback.learn.UserModelStore.Version("c20261201T120000Z", "conversion", now.toEpochMilli(), "{}", 6512, 1630,
                0.7841, 0.612, "published", "better"));
        learned.save(new dev.kairos.feedback.learn.UserModelStore.Version("s20261201T120000Z", "segments", now.toEpochMilli(), """
                {"version": "s20261201T120000Z", "clusters": [{"id": 0, "name": "ml_0", "label": "high cart, high productViews", "users": 1210, "centroid": []},
                                                            {"id": 1, "name": "ml_1", "label": "low sessions", "users": 2630, "centroid": []}]}""",
                3840, 0, null, null, "published", "2 clusters"));
    }

    /** Opens the page signed out (each test starts from a fresh tab state). */
    static void open() {
        // Clear the tab's session storage from a same-origin page that runs no script: on the
        // dashboard itself, a sign-in still in flight from the stored key would store it again
        // after the clear (seen under load), and the page would open signed in.
        browser.get(service.server.getURI().resolve("/dashboard/app.css").toString());
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.get(service.server.getURI().toString());
        try {
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("marketer-user")).isDisplayed());
        } catch (org.openqa.selenium.TimeoutException e) {
            // What the browser shows, for the failure report.
            throw new AssertionError("the sign-in form did not show; page " + browser.getCurrentUrl() + ":\n"
                    + browser.getPageSource().substring(0, Math.min(3000, browser.getPageSource().length())), e);
        }
    }

    @Test
    void aMarketerSignsInWithAPasswordSeesTheDashboardAndCannotRecalibrate() {
        open();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.findElement(By.id("marketer-user")).sendKeys("ana");
        browser.findElement(By.id("marketer-password")).sendKeys("wrong");
        browser.findElement(By.id("marketer-button")).click();
        wait.until(d -> !d.findElement(By.id("login-error")).getText().isEmpty());
        assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();

        browser.findElement(By.id("marketer-user")).clear();
        browser.findElement(By.id("marketer-user")).sendKeys("ana");
        browser.findElement(By.id("marketer-password")).sendKeys(MARKETER_PASSWORD);
        browser.findElement(By.id("marketer-button")).click();
        wait.until(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("ana (read-only)");
        assertThat(browser.findElements(By.cssSelector("#kpi-table tbody tr"))).hasSize(2);
        assertThat(cells("#versions-table tbody tr td:first-child")).containsExactly("v1", "v2");
        assertThat(browser.findElement(By.id("recalibrate")).isDisplayed()).as("no recalibrate button for marketers").isFalse();
        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "fetch('/v1/recalibrate', {method: 'POST', headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('kairos.adminKey')}})"
                + ".then(r => done(r.status));");
        assertThat(((Number) status).intValue()).as("the server refuses too").isEqualTo(403);
        browser.findElement(By.id("logout")).click();
        assertThat(browser.findElement(By.id("login")).isDisplayed()).isTrue();
    }

    @Test
    void signsInDrawsChartsFromDataRedrawsThemOnAFilterAndTakesAScreenshot() throws Exception {
        open();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));

        browser.findElement(By.id("admin-key")).sendKeys("not-the-key");
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> !d.findElement(By.id("login-error")).getText().isEmpty());
        assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();

        browser.findElement(By.id("admin-key")).sendKeys(ADMIN_KEY);
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);

        assertThat(seriesNames("chart-ctr")).containsExactlyInAnyOrder("Evening offer", "Cart reminder");
        for (WebElement line : browser.findElements(By.cssSelector("#chart-ctr polyline"))) {
            assertThat(line.getAttribute("points").split(" ")).as("one point per day with data").hasSize(3);
        }
        assertThat(seriesNames("chart-impressions")).containsExactly("Evening offer", "Cart reminder");
        assertThat(browser.findElements(By.cssSelector("#kpi-table tbody tr"))).hasSize(2);
        assertThat(browser.findElement(By.cssSelector("#kpi-table tbody tr td")).getText()).isIn("Evening offer", "Cart reminder");
        assertThat(browser.findElement(By.id("totals")).getText()).contains("Impressions").contains("120");
        assertThat(browser.findElement(By.cssSelector("#weights-table tr.current td")).getText()).isEqualTo("default (in use)");
        assertThat(browser.findElement(By.id("chart-weights")).getText()).contains("No weights published yet");

        // What Kairos learned: the predictor in use with its held-out figures, churn still a prior, the segments with their labels.
        assertThat(cells("#predictors-table tr[data-kind='conversion'] td")).containsExactly("conversion probability", "c20261201T120000Z", "0.784",
                "0.612", "6512 decisions");
        assertThat(cells("#predictors-table tr[data-kind='churn'] td").get(1)).isEqualTo("not learned yet (a prior)");
        assertThat(browser.findElements(By.cssSelector("#segments-table tbody tr")).stream().map(WebElement::getText).toList())
                .containsExactly("ml_0 high cart, high productViews 1210", "ml_1 low sessions 2630");

        // Experiment results: A is the control; B has an interval and its sample size but, below the minimum sample, no verdict.
        assertThat(new Select(browser.findElement(By.id("exp-control"))).getFirstSelectedOption().getText()).isEqualTo("A");
        assertThat(cells("#experiment-table tr[data-variant='A'] td")).last().isEqualTo("control");
        List<String> b = cells("#experiment-table tr[data-variant='B'] td");
        assertThat(b.get(2)).matches("\\d+\\.\\d % ?–\\d+\\.\\d %");
        assertThat(b.get(3)).isEqualTo("60");
        assertThat(b.get(6)).startsWith("not enough data");
        String before = browser.findElement(By.tagName("body")).getAttribute("data-loaded");
        new Select(browser.findElement(By.id("exp-control"))).selectByValue("B");
        wait.until(d -> !before.equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(cells("#experiment-table tr[data-variant='B'] td")).last().isEqualTo("control");
        assertThat(cells("#experiment-table tr[data-variant='A'] td").get(6)).startsWith("not enough data");

        // Rules versions: v1 on three days, v2 as canary on the latest, marked as such.
        assertThat(browser.findElements(By.cssSelector("#versions-table tbody tr")).stream().map(r -> r.getText()).toList())
                .hasSize(2).anySatisfy(r -> assertThat(r).startsWith("v1 112 0").endsWith("active view"))
                .anySatisfy(r -> assertThat(r).startsWith("v2 8 8").endsWith("in canary view"));
        assertThat(browser.findElements(By.cssSelector("#versions-table tr.canary td")).get(0).getText()).isEqualTo("v2");
        assertThat(browser.findElements(By.cssSelector("#versions-days tbody tr"))).hasSize(4);
        List<String> canaryDays = cells("#versions-days tr.canary");
        assertThat(canaryDays).hasSize(1);
        assertThat(canaryDays.get(0)).endsWith("v2 canary 8");

        // Serving now, exactly as rules-server has it, with the breaker's automatic roll back and its reason.
        assertThat(browser.findElement(By.id("routing-now")).getText()).isEqualTo("Active v1, canary v2 for 20 % of users.");
        assertThat(cells("#routing-changes tbody tr td:nth-child(2)")).containsExactly("canary started", "rolled back automatically", "canary started");
        assertThat(cells("#routing-changes tr.breaker td")).contains("v3", "the server (circuit breaker)",
                "circuit breaker: 12 of the last 1000 evaluations failed (12 past the deadline, 0 errors)");

        // Rules that never fire: the rule list comes from (a stub of) rules-server; two of its rules won nothing.
        assertThat(cells("#activity-table tr.silent td:first-child")).containsExactly("Spring teaser", "Winter sale");
        assertThat(cells("#activity-table tbody tr td:first-child")).hasSize(4).endsWith("Evening offer");
        assertThat(browser.findElement(By.id("activity-message")).getText()).contains("4 rules").contains("2 never fired");

        String loaded = browser.findElement(By.tagName("body")).getAttribute("data-loaded");
        new Select(browser.findElement(By.id("group-by"))).selectByValue("placement");
        wait.until(d -> !loaded.equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        assertThat(seriesNames("chart-ctr")).containsExactlyInAnyOrder("home_banner", "product_page");
        assertThat(browser.findElement(By.id("group-label")).getText()).isEqualTo("placement");

        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isGreaterThan(10_000);
    }

    private static List<String> cells(String selector) {
        return browser.findElements(By.cssSelector(selector)).stream().map(WebElement::getText).toList();
    }

    private static List<String> seriesNames(String chart) {
        return browser.findElements(By.cssSelector("#" + chart + " g.series")).stream().map(e -> e.getAttribute("data-name")).toList();
    }
}
