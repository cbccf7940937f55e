package com.listinglens.api;

import com.listinglens.support.Management;
import com.listinglens.support.DemoPoolResource;
import com.listinglens.support.Ready;
import com.listinglens.support.RedisResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page, end to end: Debian's Chromium (headless, phone-sized window) drives the service's own page against the
 * running service on the real model and demo pool, and what it shows is checked against the API's answers.
 * Screenshots go to target/screenshots.
 */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
class PageTest {

    static final String PHOTO = "val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_003.jpg";
    static final Path SHOTS = Path.of("target/screenshots");
    static ChromeDriver browser;

    @BeforeAll
    static void browser() throws Exception {
        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("test.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=390,844", "--lang=en");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("test.chromedriver", "/usr/bin/chromedriver")))
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void ready() throws Exception {
        Ready.await();
    }

    static String base() {
        return "http://localhost:" + RestAssured.port;
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(60));
    }

    static void shot(String name) throws Exception {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aSellerSeesTheSuggestionTheApiGives() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(base() + "/");
        WebElement input = waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("suggest-photos")));
        input.sendKeys(TestPools.grocery().resolve(PHOTO).toAbsolutePath().toString());
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#view-suggest .chosen img"), 1));
        browser.findElement(By.id("suggest-submit")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("suggest-result")));

        Response api = given().multiPart("photo", "p.jpg", Files.readAllBytes(TestPools.grocery().resolve(PHOTO)), "image/jpeg")
                .post("/v1/suggestions");
        List<String> path = api.jsonPath().getList("category.path.name", String.class);
        assertThat(path).isNotEmpty();
        WebElement category = browser.findElement(By.id("s-category"));
        assertThat(category.getAttribute("data-path")).isEqualTo(String.join("/", path));
        assertThat(category.getText()).contains(path.get(0)).contains("%");
        assertThat(browser.findElement(By.id("s-title")).getText()).isNotBlank();
        assertThat(browser.findElement(By.id("s-price")).getText()).startsWith("No suggestion:");
        List<WebElement> neighbours = browser.findElements(By.cssSelector("#s-neighbours li"));
        assertThat(neighbours).hasSize(api.jsonPath().getList("neighbours").size());
        assertThat(neighbours.get(0).getAttribute("data-id")).isEqualTo(api.jsonPath().getString("neighbours[0].id"));
        // the thumbnails are the catalog's photos, served by the service itself (lazy: scrolled into view to load)
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("document.querySelectorAll('#s-neighbours img').forEach(i => i.scrollIntoView())");
        waiting().until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#s-neighbours img')].every(i => i.complete && i.naturalWidth > 0)"));
        js.executeScript("window.scrollTo(0, 0)");
        shot("suggest-phone");

        // an error of the API is shown in words
        Path bad = Files.createTempFile("not-a-photo", ".jpg");
        Files.writeString(bad, "this is text, not a photo");
        browser.findElement(By.id("suggest-photos")).sendKeys(bad.toString());
        browser.findElement(By.id("suggest-submit")).click();
        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("suggest-error")));
        assertThat(error.getText()).contains("photo").doesNotContain("undefined");
        shot("suggest-error");
    }

    @Test
    void searchFiltersWorkFromTheKeyboardAndStatusIsOnTheManagementPort() throws Exception {
        browser.manage().window().setSize(new Dimension(1200, 900));
        browser.get(base() + "/#suggest");
        WebElement suggestTab = waiting().until(ExpectedConditions.elementToBeClickable(By.id("tab-suggest")));
        suggestTab.sendKeys(Keys.ARROW_RIGHT);
        waiting().until(ExpectedConditions.attributeToBe(By.id("tab-search"), "aria-selected", "true"));
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("tab-search");

        browser.findElement(By.id("search-photos")).sendKeys(TestPools.grocery().resolve(PHOTO).toAbsolutePath().toString());
        browser.findElement(By.name("category")).sendKeys("Packages/Milk");
        WebElement limit = browser.findElement(By.name("limit"));
        limit.clear();
        limit.sendKeys("6");
        browser.findElement(By.id("search-submit")).click();
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#r-results li"), 6));
        assertThat(browser.findElements(By.cssSelector("#r-results .cat")))
                .allSatisfy(c -> assertThat(c.getText()).startsWith("Packages › Milk"));
        assertThat(browser.findElement(By.id("r-meta")).getText()).contains("pass the filters");
        browser.findElement(By.id("search-more")).click();
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#r-results li"), 12));
        shot("search-desktop");

        // status is for operators: not a tab of the public page, but a page of the management port
        assertThat(browser.findElements(By.id("tab-status"))).isEmpty();
        String version = Management.given().get("/v1/status").jsonPath().getString("tenants[0].poolVersion");
        assertThat(version).isNotBlank();
        browser.get("http://localhost:" + Management.port() + "/status");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("status-body"), version));
        assertThat(browser.findElement(By.id("status-body")).getText()).contains("hit rate").contains("p99")
                .contains("Inference path: int8/");
        shot("status-desktop");
    }

    @Test
    void catalogPhotosCarryCachingHeaders() {
        Response image = given().get("/v1/images/train/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_001.jpg");
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.header("Cache-Control")).contains("max-age=");
        String etag = image.header("ETag");
        assertThat(etag).isNotBlank();
        assertThat(image.header("Last-Modified")).isNotBlank();
        Response again = given().header("If-None-Match", etag)
                .get("/v1/images/train/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_001.jpg");
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(given().get("/").then().extract().contentType()).startsWith("text/html");
        Response status = Management.given().get("/v1/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.jsonPath().getString("state")).isEqualTo("ready");
        assertThat(status.jsonPath().getString("model.name")).isEqualTo("mobilenet_v2");
        assertThat(status.jsonPath().getLong("tenants[0].listings")).isEqualTo(2721);
        // which inference path runs and why: the tests serve the configured one (lens.model.path=configured)
        assertThat(status.jsonPath().getString("model.path")).startsWith("int8/");
        assertThat(status.jsonPath().getString("model.pathChosen")).isEqualTo("configured");
        assertThat(status.jsonPath().getString("model.pathReason")).contains("lens.model.quantized-engine=auto");
        String path = status.jsonPath().getString("model.path");
        assertThat(Management.given().get("/q/health/ready").jsonPath().getString("checks[0].data.inferencePath"))
                .isEqualTo(path + " (configured)");
        assertThat(Management.given().get("/q/metrics").asString()).contains("path=\"" + path + "\"");
    }
}
