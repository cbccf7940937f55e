package com.listinglens.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.support.LiveResource;
import com.listinglens.support.Ready;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin door: tokens checked before a byte of the body is read, on the normalised path; per-tenant tokens open
 * their tenant only; oversized admin bodies refused unread; and photo admission counted on the normalised path.
 */
@QuarkusTest
@QuarkusTestResource(value = LiveResource.class, restrictToAnnotatedClass = true)
class AdminGateTest {

    @TestHTTPResource("/")
    URI root;

    @Inject
    Admission admission;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        Ready.await();
    }

    /** Sends headers announcing {@code length} body bytes, none of them, and reads the status line. */
    private String statusWithoutSendingTheBody(String path, String authorization, long length) throws Exception {
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(20_000); // an answer that waits for 60 MB that never come times out here
            OutputStream out = s.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: application/x-ndjson\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void anUnauthenticatedBodyIsRefusedBeforeItIsSent() throws Exception {
        assertThat(statusWithoutSendingTheBody("/admin/tenants/default/changes", null, 60_000_000)).startsWith("HTTP/1.1 401");
        assertThat(statusWithoutSendingTheBody("/./admin/tenants/default/changes", "Bearer wrong", 60_000_000)).startsWith("HTTP/1.1 401");
        assertThat(statusWithoutSendingTheBody("/admin//pools/reload", null, 10)).startsWith("HTTP/1.1 401");
        Response none = given().body("{}".getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson").post("/admin/tenants/default/changes");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(none.jsonPath().getString("detail")).doesNotContain("default").doesNotContain(LiveResource.TOKEN);
    }

    @Test
    void anOversizedAdminBodyIsRefusedUnread() throws Exception {
        assertThat(statusWithoutSendingTheBody("/admin/tenants/default/changes", "Bearer " + LiveResource.TOKEN, 100_000_000))
                .startsWith("HTTP/1.1 413");
    }

    @Test
    void aTenantTokenOpensItsTenantOnlyAndTheOperatorsOpensAll() {
        String tenant = "Bearer " + LiveResource.TENANT_TOKEN;
        String operator = "Bearer " + LiveResource.TOKEN;
        // authorised, then the resource answers: no such listing
        assertThat(given().header("Authorization", tenant).delete("/admin/tenants/default/listings/nobody-1").statusCode()).isEqualTo(404);
        assertThat(given().header("Authorization", tenant).post("/admin/pools/default/reload").statusCode()).isEqualTo(200);
        // another tenant's routes and the routes of all tenants are the operator's
        assertThat(given().header("Authorization", tenant).delete("/admin/tenants/other/listings/x").statusCode()).isEqualTo(401);
        assertThat(given().header("Authorization", tenant).post("/admin/pools/reload").statusCode()).isEqualTo(401);
        assertThat(given().header("Authorization", operator).post("/admin/pools/reload").statusCode()).isEqualTo(200);
        // an unknown tenant: 404, without the names of the tenants served
        Response unknown = given().header("Authorization", operator).post("/admin/pools/nobody/reload");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.jsonPath().getString("detail")).doesNotContain("default");
        Response photo = given().header("X-Tenant", "nobody").contentType("image/jpeg").body(new byte[]{1, 2, 3})
                .post("/v1/suggestions");
        assertThat(photo.statusCode()).isEqualTo(404);
        assertThat(photo.jsonPath().getString("detail")).doesNotContain("default");
    }

    /** "/./v1/suggestions" reaches the API, so it is admitted (counted) like "/v1/suggestions". */
    @Test
    void photoRequestsAreAdmittedOnTheNormalisedPath() throws Exception {
        for (String path : new String[]{"/./v1/suggestions", "/v1//suggestions"}) {
            try (Socket s = new Socket(root.getHost(), root.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: image/jpeg\r\n"
                        + "Content-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[10]); // and the rest never: the request stays in flight
                out.flush();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (admission.inFlight() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(admission.inFlight()).as(path + " counted in flight").isEqualTo(1);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (admission.inFlight() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(admission.inFlight()).as("given back when the connection closed").isZero();
        }
    }
}
