package com.listinglens.support;

import static io.restassured.RestAssured.given;

/** Waits for the service under test to report ready (model and pool loaded). */
public final class Ready {

    private Ready() {
    }

    public static void await() throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Management.given().get("/q/health/ready").statusCode() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("service not ready: " + Management.given().get("/q/health/ready").asString());
    }
}
