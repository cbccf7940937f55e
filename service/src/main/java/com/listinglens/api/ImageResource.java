package com.listinglens.api;

import com.listinglens.config.LensConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The catalog's photos, so that search results can show them ({@code imageUrl}): files under lens.search.image-root,
 * never anything outside it. In production a CDN usually serves them (lens.search.image-base-url).
 */
@Path("/v1/images")
public class ImageResource {

    private static final Map<String, String> TYPES = Map.of("jpg", "image/jpeg", "jpeg", "image/jpeg", "png", "image/png",
            "webp", "image/webp");

    /** Catalog photos change only with their path: a day in any cache, revalidated by ETag after that. */
    private static final String CACHE = "public, max-age=86400";

    private final Optional<java.nio.file.Path> root;

    public ImageResource(LensConfig config) {
        this.root = config.search().imageRoot().map(p -> p.toAbsolutePath().normalize());
    }

    @GET
    @Path("/{path: .+}")
    @Blocking
    @Operation(summary = "A catalog photo", description = "The photo a search result's imageUrl points at.")
    public Response image(@PathParam("path") String path,
                          @HeaderParam("If-None-Match") String ifNoneMatch) {
        java.nio.file.Path base = root.orElseThrow(() -> new BadRequestProblem("no-images", "No images", 404,
                "this service serves no images (lens.search.image-root is unset)"));
        String ext = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = TYPES.get(ext);
        java.nio.file.Path file;
        try {
            file = base.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw notFound(path);
        }
        if (type == null || !file.startsWith(base) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw notFound(path);
        }
        try {
            if (!file.toRealPath().startsWith(base.toRealPath())) {
                throw notFound(path);
            }
            var attributes = Files.readAttributes(file, BasicFileAttributes.class);
            long modified = attributes.lastModifiedTime().toMillis();
            String etag = "\"" + Long.toHexString(attributes.size()) + "-" + Long.toHexString(modified) + "\"";
            if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*"))) {
                return Response.notModified().header("ETag", etag).header("Cache-Control", CACHE).build();
            }
            return Response.ok(Files.readAllBytes(file), type).header("Cache-Control", CACHE).header("ETag", etag)
                    .lastModified(new Date(modified)).build();
        } catch (IOException e) {
            throw notFound(path);
        }
    }

    private static BadRequestProblem notFound(String path) {
        return new BadRequestProblem("unknown-image", "Unknown image", 404, "no image '" + path + "'");
    }
}
