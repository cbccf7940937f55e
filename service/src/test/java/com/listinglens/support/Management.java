package com.listinglens.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Requests to the service's management port under test (quarkus.management.test-port, 9001): health, metrics and
 * the status JSON live there, not on the public port RestAssured talks to by default.
 */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
    }

    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
