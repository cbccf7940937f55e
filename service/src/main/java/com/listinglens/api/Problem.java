package com.listinglens.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An RFC 7807 problem body ({@code application/problem+json}). {@code accepted} is an extension member: the media
 * types a 415 would have accepted; absent otherwise.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        List<String> accepted) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A problem whose type is {@code urn:listing-lens:problem:<slug>}. */
    public static Problem of(String slug, String title, int status, String detail, String instance) {
        return new Problem("urn:listing-lens:problem:" + slug, title, status, detail, instance, null);
    }

    /** This problem with the accepted media types listed. */
    public Problem withAccepted(List<String> mediaTypes) {
        return new Problem(type, title, status, detail, instance, List.copyOf(mediaTypes));
    }

    /**
     * Sends this problem straight from a router filter, before any body is read, and closes the connection so that
     * nothing more of the request is read either; {@code headers} are extra name, value pairs.
     */
    public void send(RoutingContext rc, String... headers) {
        var response = rc.response().setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE).putHeader("Connection", "close");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            response.putHeader(headers[i], headers[i + 1]);
        }
        response.end(toJson());
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(toJson()).build();
    }

    /** The problem as its JSON body. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
