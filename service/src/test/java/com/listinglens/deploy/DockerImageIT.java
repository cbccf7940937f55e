package com.listinglens.deploy;

import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import com.listinglens.support.RedisServer;
import com.listinglens.support.TestPools;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker images, without a Docker engine (none runs here): after `package`, every file the Dockerfiles copy
 * exists, the runtime stages install what the JNI library links against, the build stages build with the scripts CI
 * uses, and docker/entrypoint.sh started on this machine with the image's own environment (its mount points rebased
 * onto real folders) serves suggestions from a model version folder and a pinned pool, as a pod of the chart does.
 */
class DockerImageIT {

    static final Path ROOT = com.listinglens.support.Root.path();
    static final List<Path> DOCKERFILES = List.of(ROOT.resolve("docker/Dockerfile"), ROOT.resolve("docker/Dockerfile.gpu"));

    // ---- the Dockerfiles, parsed ----

    record Instruction(String keyword, String args) {
    }

    record Stage(String name, String from, String workdir, List<Instruction> instructions) {
        List<String> runs() {
            return instructions.stream().filter(i -> i.keyword.equals("RUN")).map(Instruction::args).toList();
        }
    }

    static List<Stage> stages(Path dockerfile) throws IOException {
        String text = Files.readString(dockerfile).replaceAll("\\\\\\n", " ");
        List<Stage> stages = new ArrayList<>();
        String name = null;
        String from = null;
        String workdir = "/";
        List<Instruction> current = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // continuation lines that held only comments leave "# ..." fragments inside RUN; drop them
            line = line.replaceAll("\\s+#[^&|;]*$", "");
            int sp = line.indexOf(' ');
            String keyword = (sp < 0 ? line : line.substring(0, sp)).toUpperCase();
            String args = sp < 0 ? "" : line.substring(sp + 1).strip();
            if (keyword.equals("FROM")) {
                if (current != null) {
                    stages.add(new Stage(name, from, workdir, current));
                }
                String[] parts = args.split("\\s+");
                from = parts[0];
                name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                workdir = "/";
                current = new ArrayList<>();
            } else if (current != null) {
                if (keyword.equals("WORKDIR")) {
                    workdir = args.startsWith("/") ? args : workdir + "/" + args;
                }
                current.add(new Instruction(keyword, args));
            }
        }
        stages.add(new Stage(name, from, workdir, current));
        return stages;
    }

    @Test
    void everyFileTheDockerfilesCopyExistsAfterTheBuild() throws Exception {
        DockerIgnore ignore = DockerIgnore.read(ROOT.resolve(".dockerignore"));
        String images = Files.readString(ROOT.resolve("bin/images"));
        int copies = 0;
        for (Path dockerfile : DOCKERFILES) {
            List<Stage> stages = stages(dockerfile);
            Map<String, Stage> byName = new LinkedHashMap<>();
            stages.stream().filter(s -> s.name() != null).forEach(s -> byName.put(s.name(), s));
            for (Stage stage : stages) {
                for (Instruction i : stage.instructions()) {
                    if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) {
                        continue;
                    }
                    Copy copy = Copy.parse(i.args());
                    for (String src : copy.sources()) {
                        copies++;
                        if (copy.from() == null) {
                            assertContextPath(dockerfile, src, ignore, images);
                        } else {
                            assertProvided(dockerfile, byName, copy.from(), src, 0);
                        }
                    }
                }
            }
            // the build arguments that choose stages name stages that exist, for every value
            for (Stage stage : stages) {
                if (choosesStage(stage.from())) {
                    assertThat(candidates(byName, stage.from())).as("%s: FROM %s", dockerfile.getFileName(), stage.from()).hasSizeGreaterThanOrEqualTo(2);
                }
            }
        }
        assertThat(copies).isGreaterThanOrEqualTo(12);
        // what the images run: the application, its libraries, and the JNI library inside the core library's jar
        Path app = ROOT.resolve("service/target/quarkus-app");
        assertThat(app.resolve("quarkus-run.jar")).isRegularFile();
        Path jar;
        // the core library's jar carries it (lib/main, as a dependency of the service)
        try (var files = Files.list(app.resolve("lib/main"))) {
            jar = files.filter(f -> f.getFileName().toString().startsWith("com.listinglens.listing-lens-core-")).findFirst().orElseThrow();
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.getEntry("native/linux-x86_64/liblensfaiss.so")).as("JNI library in %s", jar).isNotNull();
        }
        try (var libs = Files.list(app.resolve("lib/main"))) {
            assertThat(libs.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("ai.djl.pytorch.pytorch-native-cpu"));
        }
    }

    @Test
    void theRuntimeStagesInstallWhatTheJniLibraryLinksAgainst() throws Exception {
        Path so = ROOT.resolve("core/target/classes/native/linux-x86_64/liblensfaiss.so");
        List<String> needed = new ArrayList<>();
        Matcher m = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^]]+)]").matcher(run(List.of("readelf", "-d", so.toString())));
        while (m.find()) {
            needed.add(m.group(1));
        }
        assertThat(needed).contains("libopenblas.so.0", "libgomp.so.1");
        // the C and C++ runtimes are in every base image
        List<String> base = List.of("libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux", "libpthread.so", "libdl.so", "librt.so");
        String ldconfig = run(List.of("/sbin/ldconfig", "-p"));
        for (String lib : needed) {
            if (base.stream().anyMatch(lib::startsWith)) {
                continue;
            }
            Matcher where = Pattern.compile(Pattern.quote(lib) + " \\(libc6,x86-64\\) => (\\S+)").matcher(ldconfig);
            assertThat(where.find()).as("%s is installed here", lib).isTrue();
            Path real = Path.of(where.group(1)).toRealPath();
            String pkg = run(List.of("dpkg", "-S", real.toString())).split(":")[0].strip();
            for (Path dockerfile : DOCKERFILES) {
                List<Stage> stages = stages(dockerfile);
                Stage runtime = stages.get(stages.size() - 1);
                assertThat(String.join(" ", runtime.runs())).as("%s's runtime stage installs %s (for %s)",
                        dockerfile.getFileName(), pkg, lib).containsPattern("\\s" + Pattern.quote(pkg) + "\\s");
            }
        }
    }

    @Test
    void theImagesBuildWithTheScriptsCiUsesAndRunAsAnotherUser() throws Exception {
        // CI runs .ci/run -> bin/test -> bin/setup; the images' build stages run bin/setup and bin/build, which sources it too
        assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("bin/test");
        assertThat(Files.readString(ROOT.resolve("bin/test"))).contains(". bin/setup");
        assertThat(Files.readString(ROOT.resolve("bin/build"))).contains(". bin/setup").contains("package");
        for (Path dockerfile : DOCKERFILES) {
            List<Stage> stages = stages(dockerfile);
            Stage build = stages.stream().filter(s -> "build".equals(s.name())).findFirst().orElseThrow();
            assertThat(build.runs()).anyMatch(r -> r.contains("bin/setup")).anyMatch(r -> r.contains("bin/build"));
            Stage runtime = stages.get(stages.size() - 1);
            List<String> keywords = runtime.instructions().stream().map(Instruction::keyword).toList();
            assertThat(keywords).contains("USER", "HEALTHCHECK", "ENTRYPOINT");
            String user = runtime.instructions().stream().filter(i -> i.keyword().equals("USER")).reduce((a, b) -> b).orElseThrow().args();
            assertThat(user).isNotIn("root", "0");
            // no model and no pool inside: nothing from the shared folder, the store or a pool is copied
            assertThat(runtime.instructions().stream().filter(i -> i.keyword().equals("COPY")).map(Instruction::args))
                    .noneMatch(a -> a.contains("shared") || a.contains("store") || a.contains(".pt ") || a.contains("pools"));
        }
    }

    @Test
    void theImagesLogJsonLinesForLogShippers() throws Exception {
        // plain text outside the images (application.properties); each image turns the JSON lines on
        for (Path dockerfile : DOCKERFILES) {
            assertThat(imageEnvironment(dockerfile)).as(dockerfile.getFileName().toString())
                    .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        }
    }

    @Test
    void theEntrypointServesWithTheImagesEnvironment() throws Exception {
        // the model as a volume per version holds it: publish-model's folder for one version
        Path modelStore = TestStores.fresh("it-model-store");
        Path shared = TestPools.sharedDir();
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", shared.resolve("models/mobilenet_v2/mobilenet_v2_embed_int8.pt"));
        files.put("fp32", shared.resolve("models/mobilenet_v2/mobilenet_v2_embed_fp32.pt"));
        try (FileBlobStore fs = new FileBlobStore(modelStore)) {
            new Publisher(fs, new Layout(""), new PrintStream(PrintStream.nullOutputStream()))
                    .publishModel("mobilenet_v2", "it-1", "imagenet-mobilenet_v2-gap1280", 1280, files, true);
        }
        Path modelVolume = modelStore.resolve("models/mobilenet_v2/it-1");
        Path poolStore = TestStores.demo();
        String poolVersion = PoolFiles.parseManifest(Files.readAllBytes(TestPools.demo().resolve("manifest.json")), "demo").poolVersion();

        Map<String, String> env = imageEnvironment(ROOT.resolve("docker/Dockerfile"));
        assertThat(env).containsKeys("LENS_APP_DIR", "LENS_MODEL_SOURCE", "LENS_MODEL_DIRECTORY", "LENS_STORAGE_DIRECTORY", "JAVA_OPTS");
        // the image's mount points, rebased onto this machine's folders; everything else exactly as the image sets it
        env.put("LENS_APP_DIR", ROOT.resolve("service/target/quarkus-app").toString());
        env.put("LENS_MODEL_DIRECTORY", modelVolume.toString());
        env.put("LENS_STORAGE_DIRECTORY", poolStore.toString());
        env.put("LENS_STORAGE_CACHE_DIR", TestStores.cache("it-cache").toString());
        env.put("LENS_SHARED_DIR", shared.toString());
        // what the chart adds for a colour
        int port = freePort();
        int management = freePort();
        try (RedisServer redis = new RedisServer()) {
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management));
            env.put("LENS_REDIS_PORT", Integer.toString(redis.port()));
            env.put("LENS_MODEL_VERSION", "it-1");
            env.put("LENS_POOL_VERSIONS", "default=" + poolVersion);
            Path log = Files.createTempFile("lens-entrypoint-", ".log");
            Process service = entrypoint(env, List.of("serve")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                String ready = awaitReady(http, management, service, log);
                // the path measured at start decides the precision served: int8 where an int8 path is exact and faster
                // (FBGEMM with VNNI), fp32 where none is (an AVX2-only CPU without the 7-bit variant); the model line says which
                Matcher path = Pattern.compile("\"inferencePath\": \"(fp32|int8(?:-rr)?/[a-z0-9]+) \\(measured\\)\"").matcher(ready);
                assertThat(path.find()).as("a measured inference path in %s", ready).isTrue();
                String precision = path.group(1).equals("fp32") ? "fp32" : "int8";
                assertThat(ready).contains("\"status\": \"UP\"").contains("mobilenet_v2 " + precision + " it-1")
                        .contains("\"tenant.default.pool\": \"" + poolVersion + "\"").contains("\"tenant.default.pinned\": \"" + poolVersion + "\"");
                // the image's health check passes
                assertThat(healthcheck(management)).isZero();
                // health lives on the management port only: the public one does not know it
                HttpResponse<String> publicHealth = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(publicHealth.statusCode()).isEqualTo(404);
                // a real suggestion from a real photo
                Path photo = TestPools.grocery().resolve("val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_003.jpg");
                HttpResponse<String> answer = http.send(multipart(port, photo), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).contains("\"Packages\"").contains("\"version\":\"" + poolVersion + "\"");
                // the service's log lines are JSON objects, as the image sets it
                assertThat(Files.readString(log)).containsPattern("(?m)^\\{.*\"loggerName\":");
            } finally {
                service.destroy();
                assertThat(service.waitFor(30, TimeUnit.SECONDS)).as("the service stops on SIGTERM").isTrue();
            }
        }
        // nothing listens any more: the health check fails with Docker's "unhealthy" code
        assertThat(healthcheck(management)).isEqualTo(1);
    }

    @Test
    void theEntrypointRefusesMissingVolumesAndBucketsClearly() throws Exception {
        Map<String, String> env = imageEnvironment(ROOT.resolve("docker/Dockerfile"));
        env.put("LENS_APP_DIR", ROOT.resolve("service/target/quarkus-app").toString());
        Path empty = TestStores.fresh("it-empty");
        env.put("LENS_MODEL_DIRECTORY", empty.toString());
        env.put("LENS_STORAGE_DIRECTORY", empty.toString());
        env.put("LENS_STORAGE_CACHE_DIR", empty.resolve("cache").toString());
        assertRefused(env, List.of("serve"), "no model at LENS_MODEL_DIRECTORY=" + empty);

        Files.writeString(empty.resolve("manifest.json"), "{}");
        Map<String, String> s3 = new LinkedHashMap<>(env);
        s3.put("LENS_STORAGE_TYPE", "s3");
        assertRefused(s3, List.of("serve"), "LENS_STORAGE_TYPE=s3 needs LENS_STORAGE_S3_BUCKET");
        Map<String, String> noStore = new LinkedHashMap<>(env);
        noStore.put("LENS_STORAGE_DIRECTORY", empty.resolve("missing").toString());
        assertRefused(noStore, List.of("serve"), "no folder store at LENS_STORAGE_DIRECTORY=");
        Map<String, String> noApp = new LinkedHashMap<>(env);
        noApp.put("LENS_APP_DIR", empty.toString());
        assertRefused(noApp, List.of("serve"), "no application at LENS_APP_DIR=");
        assertRefused(env, List.of("shell"), "unknown command 'shell'");

        // the tools run from the image too
        Process tools = entrypoint(env, List.of("lens", "--help")).redirectErrorStream(true).start();
        String out = new String(tools.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tools.waitFor()).as(out).isZero();
        assertThat(out).contains("build-pool").contains("publish-model");
    }

    // ---- the stages the Dockerfiles copy from, resolved ----

    record Copy(String from, List<String> sources, String dest) {
        static Copy parse(String args) {
            List<String> words = new ArrayList<>(List.of(args.split("\\s+")));
            String from = null;
            while (words.get(0).startsWith("--")) {
                String flag = words.remove(0);
                if (flag.startsWith("--from=")) {
                    from = flag.substring("--from=".length());
                }
            }
            return new Copy(from, List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1));
        }
    }

    /** A file from the build context: there after the build (or made by bin/images, which names it), not ignored. */
    private static void assertContextPath(Path dockerfile, String src, DockerIgnore ignore, String images) {
        Path p = ROOT.resolve(src).normalize();
        Path rel = ROOT.relativize(p);
        if (!Files.exists(p)) {
            // what bin/images makes before it builds: the jlinked runtime, the stand-in libtorch, Spark's jars, the -Pgpu build
            assertThat(images).as("%s copies %s from the context: it exists after the build, or bin/images makes it",
                    dockerfile.getFileName(), src).contains(src.endsWith("/quarkus-app") ? src.substring(0, src.lastIndexOf('/')) : src);
        }
        assertThat(ignore.excludes(rel.toString())).as("%s is excluded by .dockerignore", src).isFalse();
    }

    /** Stage {@code name} (or every stage a build argument may choose) holds {@code path}. */
    private static void assertProvided(Path dockerfile, Map<String, Stage> byName, String name, String path, int depth) {
        assertThat(depth).as("%s: stages copy from each other in a loop", dockerfile.getFileName()).isLessThan(10);
        List<Stage> options = candidates(byName, name);
        assertThat(options).as("%s: stage %s", dockerfile.getFileName(), name).isNotEmpty();
        for (Stage stage : options) {
            if (stage.instructions().isEmpty() && (byName.containsKey(stage.from()) || choosesStage(stage.from()))) {
                // FROM another stage AS this one: what that stage (or each one the argument chooses) holds
                assertProvided(dockerfile, byName, stage.from(), path, depth + 1);
                continue;
            }
            boolean found = false;
            for (Instruction i : stage.instructions()) {
                if (i.keyword().equals("COPY")) {
                    Copy c = Copy.parse(i.args());
                    String dest = c.dest().endsWith("/") ? c.dest() : c.dest() + "/";
                    if (c.sources().size() == 1 && (path.equals(c.dest()) || path.startsWith(dest))) {
                        String inner = c.sources().get(0) + path.substring(c.dest().length());
                        if (c.from() == null) {
                            // from the context, into a stage of copies (bin/images' inputs, or the repository to build)
                            found = true;
                        } else {
                            assertProvided(dockerfile, byName, c.from(), inner, depth + 1);
                            found = true;
                        }
                    } else if (c.from() == null && c.sources().stream().anyMatch(x -> x.equals("service") || x.equals("spark"))
                            && path.startsWith(stage.workdir() + "/")) {
                        // a stage that builds the repository at its WORKDIR: the path is the repository's, after the build
                        Path p = ROOT.resolve(path.substring(stage.workdir().length() + 1));
                        assertThat(p).as("%s copies %s from stage %s", dockerfile.getFileName(), path, stage.name()).exists();
                        found = true;
                    }
                }
            }
            if (!found) {
                // a stage that downloads or links: it must make the folder it is copied from
                String parent = path.substring(0, Math.max(path.lastIndexOf('/'), 1));
                assertThat(String.join(" ", stage.runs())).as("stage %s of %s makes %s", stage.name(), dockerfile.getFileName(), path)
                        .containsAnyOf(path, parent);
            }
        }
    }

    /** A FROM like {@code java-${JAVA_SOURCE}}: a build argument chooses one of several stages (not an image). */
    private static boolean choosesStage(String from) {
        return from.contains("${") && !from.startsWith("${");
    }

    /** The stages a FROM or --from may name: the stage itself, or every stage a ${ARG} in it can choose. */
    private static List<Stage> candidates(Map<String, Stage> byName, String name) {
        if (!choosesStage(name)) {
            return byName.containsKey(name) ? List.of(byName.get(name)) : List.of();
        }
        Pattern p = Pattern.compile(Pattern.quote(name).replaceAll("\\$\\{[A-Za-z_]+}", "\\\\E[a-z0-9-]+\\\\Q"));
        return byName.entrySet().stream().filter(e -> p.matcher(e.getKey()).matches()).map(Map.Entry::getValue).toList();
    }

    /** .dockerignore as Docker reads it: patterns anchored at the context's root, '**', and '!' exceptions, last one wins. */
    record DockerIgnore(List<String> patterns) {
        static DockerIgnore read(Path file) throws IOException {
            return new DockerIgnore(Files.readAllLines(file).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
        }

        boolean excludes(String path) {
            boolean excluded = false;
            for (String raw : patterns) {
                boolean negated = raw.startsWith("!");
                String pattern = negated ? raw.substring(1) : raw;
                Pattern re = Pattern.compile(glob(pattern));
                // a pattern that matches a folder excludes what is inside it
                String p = path;
                boolean matches = false;
                while (true) {
                    if (re.matcher(p).matches()) {
                        matches = true;
                        break;
                    }
                    int slash = p.lastIndexOf('/');
                    if (slash < 0) {
                        break;
                    }
                    p = p.substring(0, slash);
                }
                if (matches) {
                    excluded = !negated;
                }
            }
            return excluded;
        }

        private static String glob(String pattern) {
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                    boolean slash = i + 2 < pattern.length() && pattern.charAt(i + 2) == '/';
                    re.append(slash ? "(?:.*/)?" : ".*");
                    i += slash ? 2 : 1;
                } else if (c == '*') {
                    re.append("[^/]*");
                } else if (c == '?') {
                    re.append("[^/]");
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return re.toString();
        }
    }

    @Test
    void dockerIgnoreReadsAsDockerReadsIt() throws Exception {
        DockerIgnore ignore = DockerIgnore.read(ROOT.resolve(".dockerignore"));
        assertThat(ignore.excludes("core/target/classes/x.class")).isTrue();
        assertThat(ignore.excludes("target/test-pools/demo/manifest.json")).isTrue();
        assertThat(ignore.excludes("service/target/surefire-reports/x.txt")).isTrue();
        assertThat(ignore.excludes("service/target/quarkus-app/quarkus-run.jar")).isFalse();
        assertThat(ignore.excludes("target/images/java/bin/java")).isFalse();
        assertThat(ignore.excludes(".git/HEAD")).isTrue();
        assertThat(ignore.excludes("service/src/main/java/com/listinglens/api/SuggestionResource.java")).isFalse();
    }

    // ---- helpers ----

    /** The runtime stage's ENV, as the image sets it. */
    static Map<String, String> imageEnvironment(Path dockerfile) throws IOException {
        List<Stage> stages = stages(dockerfile);
        Map<String, String> env = new LinkedHashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
        for (Instruction i : stages.get(stages.size() - 1).instructions()) {
            if (i.keyword().equals("ENV")) {
                Matcher m = pair.matcher(i.args());
                while (m.find()) {
                    String v = m.group(2);
                    env.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
                }
            }
        }
        return env;
    }

    private static ProcessBuilder entrypoint(Map<String, String> imageEnv, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("docker/entrypoint.sh").toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Files.isDirectory(Path.of("/tmp")) ? Path.of("/tmp").toFile() : null);
        // only the image's variables (and what any container has: PATH, HOME, the JDK)
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", System.getenv("PATH"));
        e.put("HOME", System.getProperty("user.home"));
        e.put("JAVA_HOME", System.getProperty("java.home"));
        e.putAll(imageEnv);
        // the image's Java runtime (/opt/java), rebased onto this JVM's like the mount points
        e.put("JAVA_HOME", System.getProperty("java.home"));
        e.put("PATH", System.getenv("PATH"));
        return pb;
    }

    private static void assertRefused(Map<String, String> env, List<String> args, String message) throws Exception {
        Process p = entrypoint(env, args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(64);
        assertThat(out).contains("lens-entrypoint: ").contains(message);
    }

    private static int healthcheck(int managementPort) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("docker/healthcheck.sh").toString()).redirectErrorStream(true);
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static String awaitReady(HttpClient http, int managementPort, Process service, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String last = null;
        while (System.nanoTime() < deadline) {
            assertThat(service.isAlive()).as("the service exited: %s", tail(log)).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.body();
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not ready in 180 s: " + last + "\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static HttpRequest multipart(int port, Path photo) throws IOException {
        String boundary = "lens" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"" + photo.getFileName()
                + "\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[0];
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(head);
        out.write(Files.readAllBytes(photo));
        out.write(tail);
        body = out.toByteArray();
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/suggestions"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
        return out;
    }
}
