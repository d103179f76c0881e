package dev.kairos.feedback.dashboard;

import dev.kairos.feedback.store.DecisionRow;
import dev.kairos.feedback.support.RulesServerFake;
import dev.kairos.feedback.support.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.kairos.feedback.support.TestService.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard tells the truth about rules versions after canary, promote and roll back, shows a
 * pack's text and its diff, and drives the canary from the page with a confirmation for every
 * change: in a real headless Chromium, against a stateful stand-in of rules-server's lifecycle API.
 */
class DashboardCanaryBrowserTest {
    static TestService service;
    static WebDriver browser;
    static RulesServerFake rulesServer;

    @BeforeAll
    static void start() {
        rulesServer = new RulesServerFake()
                .version("v1", "offers.drl", "rule \"Evening offer\"\nwhen\nthen\nend", List.of("Evening offer"))
                .version("v2", "offers.drl", "rule \"Evening offer\"\nwhen\nthen\nend\nrule \"Winter sale\"\nwhen\nthen\nend",
                        List.of("Evening offer", "Winter sale"))
                .version("v3", "offers.drl", "rule \"Spring teaser\"\nwhen\nthen\nend", List.of("Spring teaser"))
                .routing("v1", "v2", 20);
        service = TestService.start(Map.of("kairos.feedback.recalibration.enabled", false, "kairos.feedback.rules-server-url", rulesServer.url()));
        long at = Instant.now().minus(Duration.ofHours(3)).toEpochMilli();
        service.store().saveDecisions(List.of(
                new DecisionRow("d1", at, "u1", null, "v1", "default", false, null, 0.5, 0.5, 0.5, 0.5, null, List.of("Evening offer"),
                        List.of(new DecisionRow.PlacementRow("home_banner", "Evening offer", "c", false)), List.of()),
                new DecisionRow("d2", at, "u2", null, "v2", "default", true, null, 0.5, 0.5, 0.5, 0.5, null, List.of("Evening offer", "Winter sale"),
                        List.of(new DecisionRow.PlacementRow("home_banner", "Winter sale", "c", false)), List.of())));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(DashboardBrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,2600");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DashboardBrowserTest.CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (service != null) service.close();
        if (rulesServer != null) rulesServer.close();
    }

    @Test
    void drivesACanaryFromThePageAndShowsRoutingAsTheServerHasIt() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(service.server.getURI().toString());
        wait.until(d -> d.findElement(By.id("admin-key")).isDisplayed());
        browser.findElement(By.id("admin-key")).sendKeys(ADMIN_KEY);
        browser.findElement(By.id("login-button")).click();
        wait.until(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);

        assertThat(status()).containsExactly(Map.entry("v1", "active"), Map.entry("v2", "in canary"), Map.entry("v3", "not serving"));
        assertThat(text("routing-now")).isEqualTo("Active v1, canary v2 for 20 % of users.");
        // activity split per version: "Winter sale" matched and won under the canary v2
        assertThat(cells("#activity-table tbody tr td:first-child")).contains("Winter sale");
        assertThat(browser.findElements(By.cssSelector("#activity-table tbody tr")).stream().map(WebElement::getText)
                .filter(r -> r.startsWith("Winter sale")).findFirst().orElseThrow()).contains("v2: 1 / 1");

        // the pack text of v2, then its diff against v1
        row("v2").findElement(By.cssSelector("button.view-pack")).click();
        wait.until(d -> "v2".equals(d.findElement(By.id("pack-text")).getAttribute("data-shown")));
        assertThat(text("pack-text")).contains("// offers.drl").contains("rule \"Winter sale\"");
        new Select(browser.findElement(By.id("pack-compare"))).selectByValue("v1");
        wait.until(d -> "v2 vs v1".equals(d.findElement(By.id("pack-text")).getAttribute("data-shown")));
        assertThat(cells("#pack-text span.add")).contains("+rule \"Winter sale\"");
        assertThat(cells("#pack-text span.file")).contains("+++ v2/offers.drl");

        // replay v2 on the period's recorded decisions: rules-server's report, shown with its warning
        click("replay-start");
        wait.until(d -> d.findElement(By.id("replay-result")).getAttribute("data-result") != null);
        assertThat(text("replay-result")).contains("v2: 1000 recorded decisions replayed, 120 change (12.0 %).")
                .contains("120 × Evening offer -> Winter sale")
                .contains("Estimated CTR change (inverse propensity scoring): -0.60 pp, 95 % CI [-0.90, -0.30]")
                .contains("Low overlap");
        assertThat(cells("#replay-placements tbody td")).containsExactly("home_banner", "1000", "120");
        assertThat(rulesServer.lastReplay).startsWith("v2 ").contains("\"from\"").contains("\"to\"");

        // start v3 as a canary: nothing happens when the confirmation is dismissed
        new Select(browser.findElement(By.id("canary-version"))).selectByValue("v3");
        setPercent("5");
        // the marketer watches only CTR and errors for this canary, from 300 per arm
        for (WebElement box : browser.findElements(By.cssSelector(".guardrail-metric"))) {
            if (!List.of("CTR", "error rate").contains(box.getAttribute("value"))) box.click();
        }
        browser.findElement(By.id("guardrail-min")).sendKeys("300");
        click("canary-start");
        assertThat(confirm(false)).isEqualTo("Start v3 as a canary for 5 % of users, rolled back automatically when worse on CTR, error rate?");
        assertThat(text("routing-now")).isEqualTo("Active v1, canary v2 for 20 % of users.");
        click("canary-start");
        confirm(true);
        waitFor("Active v1, canary v3 for 5 % of users.");
        assertThat(status()).containsEntry("v3", "in canary").containsEntry("v2", "not serving");
        assertThat(service.store().guardrailSettings("v3")).hasValue("{\"metrics\":[\"CTR\",\"error rate\"],\"minShown\":300}");

        setPercent("25");
        new Select(browser.findElement(By.id("canary-version"))).selectByValue("v3");
        click("canary-start");
        assertThat(confirm(true)).isEqualTo("Change the canary v3 to 25 % of users?");
        waitFor("Active v1, canary v3 for 25 % of users.");

        click("canary-promote");
        assertThat(confirm(true)).isEqualTo("Promote the canary v3 to serve every user?");
        waitFor("Active v3, no canary.");
        assertThat(status()).containsEntry("v3", "active").containsEntry("v1", "previous (roll-back target)").doesNotContainValue("in canary");

        click("canary-rollback");
        assertThat(confirm(true)).isEqualTo("Roll back v3 to the previous active version?");
        waitFor("Active v1, no canary.");
        assertThat(status()).containsEntry("v1", "active").containsEntry("v3", "not serving").doesNotContainValue("in canary");
        assertThat(cells("#routing-changes tbody tr td:nth-child(2)")).containsExactly("rolled back", "promoted", "canary started", "canary started");
        assertThat(cells("#versions-table tr.canary")).as("no row marked canary after the roll back").isEmpty();
    }

    private static Map<String, String> status() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (WebElement r : browser.findElements(By.cssSelector("#versions-table tbody tr"))) {
            List<WebElement> c = r.findElements(By.tagName("td"));
            out.put(c.get(0).getText(), c.get(5).getText());
        }
        return out;
    }

    private static WebElement row(String version) {
        return browser.findElement(By.cssSelector("#versions-table tr[data-version='" + version + "']"));
    }

    private static void setPercent(String value) {
        WebElement p = browser.findElement(By.id("canary-percent"));
        p.clear();
        p.sendKeys(value);
    }

    private static void click(String id) {
        loadedBefore = ((JavascriptExecutor) browser).executeScript("return document.body.dataset.loaded");
        browser.findElement(By.id(id)).click();
    }

    /** Accepts or dismisses the confirmation the page asked for; answers its question. */
    private static String confirm(boolean accept) {
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent());
        var alert = browser.switchTo().alert();
        String question = alert.getText();
        if (accept) alert.accept();
        else alert.dismiss();
        return question;
    }

    /** Waits until the routing shows {@code routing} and the whole page has been reloaded after the change. */
    private static void waitFor(String routing) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> routing.equals(d.findElement(By.id("routing-now")).getText())
                && !loadedBefore.equals(((JavascriptExecutor) d).executeScript("return document.body.dataset.loaded")));
    }

    /** The page's last full load mark, taken before a change (see {@link #waitFor}). */
    private static Object loadedBefore = "";

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static List<String> cells(String selector) {
        return browser.findElements(By.cssSelector(selector)).stream().map(WebElement::getText).toList();
    }
}
