package com.listinglens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lens changes FILE}: sends a file of live listing changes to a running service, in batches that each land
 * whole or not at all. Lines are JSON: {@code {"op":"add","listing":{...},"photo":"path.jpg"}} (or "photos": [paths],
 * relative to the file's folder) and {@code {"op":"remove","id":"..."}}. On a failed batch it stops and says from
 * which line to resume (--from-line).
 */
@Command(name = "changes", mixinStandardHelpOptions = true,
        description = "Send a JSONL file of live listing changes (add with photo paths, remove by id) to a running service's "
                + "admin API, in atomic batches, with progress.")
public final class ChangesCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", description = "JSONL file of changes")
    Path file;

    @Mixin
    SharedOptions.Tenant tenant = new SharedOptions.Tenant();

    @Option(names = "--url", description = "service base URL; default: http://localhost:<quarkus.http.port>")
    String url;

    @Option(names = "--token", description = "admin bearer token; default: lens.admin.token (LENS_ADMIN_TOKEN)")
    String token;

    @Option(names = "--batch-size", defaultValue = "100", description = "changes per request (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--from-line", defaultValue = "1", description = "first line to send (resume after a failure)")
    int fromLine;

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        String t = tenant.orDefault(config);
        String tok = token != null ? token : config.admin().token().orElse(null);
        if (tok == null || tok.isBlank()) {
            System.err.println("changes: no admin token: pass --token or set LENS_ADMIN_TOKEN");
            return 2;
        }
        if (batchSize < 1 || batchSize > config.live().maxBatch()) {
            System.err.println("changes: --batch-size must be in 1.." + config.live().maxBatch() + " (lens.live.max-batch)");
            return 2;
        }
        if (!Files.isRegularFile(file)) {
            System.err.println("changes: no file " + file);
            return 2;
        }
        String base = url != null ? url : "http://localhost:" + ConfigLoader.port();
        URI endpoint = URI.create(base.replaceAll("/+$", "") + "/admin/tenants/"
                + URLEncoder.encode(t, StandardCharsets.UTF_8) + "/changes");
        Path folder = file.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);

        // every line is read and its photos found before anything is sent
        List<int[]> numbers = new ArrayList<>();
        List<String> wire = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = Math.max(0, fromLine - 1); i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                wire.add(toWire(text, folder));
                numbers.add(new int[]{i + 1});
            } catch (IllegalArgumentException | IOException e) {
                errors.add("line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            errors.forEach(System.err::println);
            System.err.println("changes: " + errors.size() + " bad line(s) in " + file + "; nothing was sent");
            return 1;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        int sent = 0;
        int added = 0;
        int removed = 0;
        long t0 = System.nanoTime();
        for (int from = 0; from < wire.size(); from += batchSize) {
            int to = Math.min(wire.size(), from + batchSize);
            String body = String.join("\n", wire.subList(from, to)) + "\n";
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(5))
                    .header("Authorization", "Bearer " + tok).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                return failed(numbers, from, sent, "cannot reach " + endpoint + ": " + e.getMessage());
            }
            if (response.statusCode() != 200) {
                return failed(numbers, from, sent, "HTTP " + response.statusCode() + ": " + detail(response.body()));
            }
            JsonNode answer = JSON.readTree(response.body());
            added += answer.path("added").asInt();
            removed += answer.path("removed").asInt();
            sent = to;
            System.err.printf(Locale.ROOT, "changes: %d/%d sent (through %s)%n", sent, wire.size(), answer.path("through").asText());
        }
        System.err.printf(Locale.ROOT, "changes: %d changes applied to tenant %s (%d added, %d removed) in %.1f s%n", sent, t,
                added, removed, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private int failed(List<int[]> numbers, int from, int sent, String why) {
        System.err.println("changes: batch starting at line " + numbers.get(from)[0] + " failed, nothing of it applied: " + why);
        System.err.println("changes: " + sent + " changes before it were applied; resume with --from-line " + numbers.get(from)[0]);
        return 1;
    }

    private static String detail(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node.path("detail").asText(body);
        } catch (IOException e) {
            return body;
        }
    }

    /** A file line as the admin API's batch line: photo paths become base64 photos. */
    static String toWire(String text, Path folder) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new IllegalArgumentException("a change is a JSON object");
        }
        String op = obj.path("op").asText("");
        if ("remove".equals(op)) {
            if (!obj.path("id").isTextual()) {
                throw new IllegalArgumentException("a removal needs \"id\"");
            }
            return obj.toString();
        }
        if (!"add".equals(op)) {
            throw new IllegalArgumentException("\"op\" must be \"add\" or \"remove\"");
        }
        List<String> paths = new ArrayList<>();
        if (obj.path("photo").isTextual()) {
            paths.add(obj.path("photo").asText());
        }
        obj.path("photos").forEach(p -> paths.add(p.asText()));
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("an addition needs \"photo\" (a path) or \"photos\" (paths)");
        }
        ArrayNode photos = JSON.createArrayNode();
        for (String p : paths) {
            Path photo = folder.resolve(p);
            if (!Files.isRegularFile(photo)) {
                throw new IllegalArgumentException("no photo " + photo);
            }
            photos.add(Base64.getEncoder().encodeToString(Files.readAllBytes(photo)));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("op", "add");
        out.set("listing", obj.get("listing"));
        out.set("photos", photos);
        return out.toString();
    }
}
