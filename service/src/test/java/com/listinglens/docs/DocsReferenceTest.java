package com.listinglens.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.cli.LensCli;
import com.listinglens.config.LensConfig;
import com.listinglens.support.Root;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps README.md and docs/ from rotting: every repository path, {@code bin/...} command, {@code bin/lens} subcommand,
 * {@code lens.*} configuration key, package-qualified class ({@code pool.Pool}, {@code com.listinglens.spark.SparkPoolJob})
 * and link anchor they name must exist. Also: the README stays a front
 * door (at most 300 lines), docs/configuration.md documents every key of {@link LensConfig}, and the pointers that
 * comments and Javadoc leave to docs/ (application.properties, bin/, bench/, the main sources) lead somewhere.
 *
 * <p>What counts as a repository path, in a code span, a fenced block or a link: a token whose first segment is an
 * entry of the repository root ({@code core/...}, {@code bin/serve}, {@code .ci/run}), or that ends in a source file's
 * extension ({@code .md}, {@code .java}, {@code .sh}, ...; a bare file name is looked up anywhere in the tree). Not
 * checked: URLs, absolute paths (API routes such as {@code /v1/search}), placeholders and globs ({@code <tenant>},
 * {@code *}, {@code $VAR}, {@code …}). Paths under {@code ../shared} (beside the checkout) are checked when that folder
 * is there. Paths that only a build or a run makes are let through by {@link #GENERATED}, and counted.
 *
 * <p>Configuration keys are read from {@link LensConfig} itself (SmallRye's kebab-case names of its methods, nested
 * interfaces as groups, Map-typed entries as {@code <prefix>.<name>}) and from application.properties.
 *
 * <p>It runs in {@code bin/test}; alone: {@code ./mvnw -pl core,service test -Dtest=DocsReferenceTest
 * -Dsurefire.failIfNoSpecifiedTests=false}. A failure lists every broken reference with its file and line.
 */
class DocsReferenceTest {

    private static final Path ROOT = Root.path();

    /**
     * The allow-rule for generated paths: folders that exist only after a build or a run (Maven's and the benches'
     * {@code target/} anywhere; the local store, cache and pools of bin/serve and the tools at the root). A path through
     * one of them is not checked; the test prints how many it let through.
     */
    private static final Set<String> GENERATED = Set.of("target", "store", "cache", "pools");

    /** Extensions of files that a name alone (no folder) is taken to mean a file of this repository. */
    private static final Set<String> SOURCE_EXTENSIONS = Set.of("md", "sh", "java", "properties", "yaml", "yml", "xml",
            "py", "cpp", "h", "txt", "tpl", "toml", "map", "options");

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern URL = Pattern.compile("[a-z][a-z0-9+.-]*://\\S*");
    private static final Pattern KEY = Pattern.compile("(?<![\\w-])lens((?:\\.(?:[a-z0-9*-]+|<[\\w-]+>))+)");
    private static final Pattern LENS_COMMAND = Pattern.compile("(?<![\\w./-])bin/lens\\s+([a-z][a-z0-9-]*)");
    private static final Pattern SPAN_LENS_COMMAND = Pattern.compile("^lens\\s+([a-z][a-z0-9-]*)");
    private static final Pattern PROSE_PATH = Pattern.compile("(?<![\\w./@:-])(\\.?[A-Za-z0-9_-]+/[\\w./-]*)");
    private static final Pattern QUALIFIED_CLASS = Pattern.compile("com\\.listinglens\\.((?:[a-z][a-z0-9]*\\.)+)([A-Z]\\w*)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern DOC_POINTER = Pattern.compile("(?<![\\w./-])(docs/[\\w./-]*?\\.md)(#[\\w-]+)?");
    private static final Pattern TOKEN_SPLIT = Pattern.compile("[\\s=@,\"'()\\[\\];|]+");

    private static List<Path> docs;
    private static Set<String> topLevel;
    private static Set<String> fileNames;
    private static Set<String> realKeys;
    private static Set<String> mapPrefixes;
    private static Set<String> commands;
    private static Set<String> packages;
    private static Pattern shortClass;

    /** One reference a document makes, and where. */
    private record Ref(String doc, int line, String text) {
        String where() {
            return doc + ":" + line;
        }
    }

    /** What the documents name, by kind. */
    private static final List<Ref> paths = new ArrayList<>();
    private static final List<Ref> links = new ArrayList<>();
    private static final List<Ref> keys = new ArrayList<>();
    private static final List<Ref> lensCommands = new ArrayList<>();
    private static final List<Ref> classes = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        assertThat(ROOT.resolve("README.md")).as("repository root (test.root)").isRegularFile();
        docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        try (Stream<Path> s = Files.list(ROOT)) {
            topLevel = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".git") && !GENERATED.contains(n))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        fileNames = new HashSet<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String rel = ROOT.relativize(dir).toString();
                return dir.equals(ROOT) || !(rel.equals(".git") || generated(rel) || dir.getFileName().toString().equals("__pycache__"))
                        ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    fileNames.add(file.getFileName().toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        realKeys = new TreeSet<>();
        mapPrefixes = new TreeSet<>();
        collectKeys(LensConfig.class, "lens", realKeys, mapPrefixes);
        for (String line : Files.readAllLines(ROOT.resolve("service/src/main/resources/application.properties"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || !l.contains("=")) {
                continue;
            }
            String key = l.substring(0, l.indexOf('=')).strip().replaceFirst("^%[\\w-]+\\.", "");
            if (key.startsWith("lens.")) {
                realKeys.add(key);
            }
        }
        commands = new TreeSet<>();
        for (Class<?> c : LensCli.class.getAnnotation(Command.class).subcommands()) {
            Command command = c.getAnnotation(Command.class);
            commands.add(command.name());
            commands.addAll(List.of(command.aliases()));
        }
        packages = new TreeSet<>();
        for (String module : List.of("core", "service", "spark")) {
            Path dir = ROOT.resolve(module).resolve("src/main/java/com/listinglens");
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(Files::isDirectory).forEach(p -> packages.add(p.getFileName().toString()));
                }
            }
        }
        shortClass = Pattern.compile("(?<![\\w.])(" + String.join("|", packages) + ")\\.([A-Z]\\w*)");
        for (Path doc : docs) {
            scan(doc);
        }
    }

    /** The keys of a @ConfigMapping interface: kebab-case method names, nested interfaces as groups, maps as prefixes. */
    private static void collectKeys(Class<?> type, String prefix, Set<String> into, Set<String> maps) {
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.isSynthetic() || m.getParameterCount() > 0) {
                continue;
            }
            WithName named = m.getAnnotation(WithName.class);
            String key = prefix + "." + (named != null ? named.value() : kebab(m.getName()));
            Class<?> r = m.getReturnType();
            if (Map.class.isAssignableFrom(r)) {
                maps.add(key);
            } else if (r.isInterface() && r.getEnclosingClass() != null && r.getName().startsWith(LensConfig.class.getName())) {
                collectKeys(r, key, into, maps);
            } else {
                into.add(key);
            }
        }
    }

    private static String kebab(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('-').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Collects the references of one document: code spans and fenced blocks, links, prose. */
    private static void scan(Path doc) throws IOException {
        String rel = ROOT.relativize(doc).toString();
        List<String> lines = Files.readAllLines(doc);
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int n = i + 1;
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            collectKeysAndCommands(rel, n, line);
            collectClasses(rel, n, line);
            if (fenced) {
                tokens(line).forEach(t -> paths.add(new Ref(rel, n, t)));
                continue;
            }
            StringBuilder prose = new StringBuilder();
            Matcher span = CODE_SPAN.matcher(line);
            int last = 0;
            while (span.find()) {
                prose.append(line, last, span.start()).append(' ');
                last = span.end();
                String code = span.group(2).strip();
                tokens(code).forEach(t -> paths.add(new Ref(rel, n, t)));
                Matcher c = SPAN_LENS_COMMAND.matcher(code);
                if (c.find()) {
                    lensCommands.add(new Ref(rel, n, c.group(1)));
                }
            }
            prose.append(line.substring(last));
            String text = prose.toString();
            Matcher link = LINK.matcher(text);
            StringBuilder rest = new StringBuilder();
            int end = 0;
            while (link.find()) {
                links.add(new Ref(rel, n, link.group(1)));
                rest.append(text, end, link.start()).append(' ');
                end = link.end();
            }
            rest.append(text.substring(end));
            Matcher p = PROSE_PATH.matcher(URL.matcher(rest).replaceAll(" "));
            while (p.find()) {
                String t = trim(p.group(1));
                int slash = t.indexOf('/');
                if (slash > 0 && (topLevel.contains(t.substring(0, slash)) || GENERATED.contains(t.substring(0, slash)))) {
                    paths.add(new Ref(rel, n, t));
                }
            }
        }
    }

    private static void collectKeysAndCommands(String rel, int n, String line) {
        Matcher k = KEY.matcher(line);
        while (k.find()) {
            keys.add(new Ref(rel, n, "lens" + k.group(1)));
        }
        Matcher c = LENS_COMMAND.matcher(line);
        while (c.find()) {
            lensCommands.add(new Ref(rel, n, c.group(1)));
        }
    }

    private static void collectClasses(String rel, int n, String line) {
        Matcher q = QUALIFIED_CLASS.matcher(line);
        while (q.find()) {
            classes.add(new Ref(rel, n, q.group(1).replace('.', '/') + q.group(2)));
        }
        Matcher s = shortClass.matcher(line);
        while (s.find()) {
            classes.add(new Ref(rel, n, s.group(1) + "/" + s.group(2)));
        }
    }

    /** The path-like tokens of a piece of code, trimmed of punctuation (URLs removed first). */
    private static List<String> tokens(String code) {
        List<String> out = new ArrayList<>();
        for (String raw : TOKEN_SPLIT.split(URL.matcher(code).replaceAll(" "))) {
            String t = trim(raw);
            if (t.startsWith("./")) {
                t = t.substring(2);
            }
            if (!t.isEmpty() && candidate(t)) {
                out.add(t);
            }
        }
        return out;
    }

    private static String trim(String t) {
        return t.replaceAll("^[`(\\[{]+", "").replaceAll("[`.,:;!?)\\]}]+$", "");
    }

    /** Whether a token looks like a path of this repository (see the class comment). */
    private static boolean candidate(String t) {
        if (t.startsWith("/") || t.startsWith("-") || t.startsWith("~")) {
            return false;
        }
        int slash = t.indexOf('/');
        if (slash < 0) {
            return hasSourceExtension(t);
        }
        String first = t.substring(0, slash);
        if (first.equals("..")) {
            return t.startsWith("../shared/") || t.equals("../shared");
        }
        return topLevel.contains(first) || GENERATED.contains(first) || hasSourceExtension(t);
    }

    private static boolean hasSourceExtension(String t) {
        String name = t.substring(t.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 && SOURCE_EXTENSIONS.contains(name.substring(dot + 1));
    }

    private static boolean placeholder(String t) {
        return t.matches(".*[<>{}*$…].*") || t.contains("...");
    }

    private static boolean generated(String path) {
        String p = path.replace('\\', '/');
        return Stream.of(p.split("/")).anyMatch("target"::equals)
                || GENERATED.stream().anyMatch(g -> p.equals(g) || p.startsWith(g + "/"));
    }

    private static boolean sharedPresent() {
        return Files.isDirectory(ROOT.resolve("../shared"));
    }

    @Test
    void theReadmeIsAFrontDoor() throws IOException {
        long lines = Files.readAllLines(ROOT.resolve("README.md")).size();
        System.out.printf(Locale.ROOT, "docs: README.md has %d lines (at most 300); %d documents read: %s%n", lines, docs.size(),
                docs.stream().map(d -> ROOT.relativize(d).toString()).toList());
        assertThat(lines).as("README.md lines").isLessThanOrEqualTo(300);
    }

    @Test
    void everyPathNamedExists() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        int allowed = 0;
        int shared = 0;
        int sharedSkipped = 0;
        int placeholders = 0;
        Set<String> allowedPaths = new TreeSet<>();
        Set<String> checkedPaths = new TreeSet<>();
        for (Ref r : paths) {
            String t = r.text();
            if (placeholder(t)) {
                placeholders++;
                continue;
            }
            if (t.startsWith("../shared")) {
                if (!sharedPresent()) {
                    sharedSkipped++;
                    continue;
                }
                shared++;
                if (!Files.exists(ROOT.resolve(t))) {
                    broken.add(r.where() + ": `" + t + "` does not exist (beside the checkout)");
                }
                continue;
            }
            if (generated(t)) {
                allowed++;
                allowedPaths.add(t);
                continue;
            }
            checked++;
            checkedPaths.add(t);
            if (t.indexOf('/') < 0) {
                if (!fileNames.contains(t)) {
                    broken.add(r.where() + ": `" + t + "` is no file of the repository");
                }
                continue;
            }
            Path p = ROOT.resolve(t).normalize();
            if (!p.startsWith(ROOT) || !Files.exists(p)) {
                broken.add(r.where() + ": `" + t + "` does not exist");
            } else if (t.startsWith("bin/") && !Files.isExecutable(p)) {
                broken.add(r.where() + ": `" + t + "` is not executable");
            }
        }
        System.out.printf(Locale.ROOT, "docs: %d repository paths checked, %d under ../shared %s, %d placeholders or globs "
                        + "skipped, %d generated paths let through by the allow-rule %s: %s%n", checked,
                sharedPresent() ? shared : sharedSkipped, sharedPresent() ? "checked" : "skipped (no ../shared here)",
                placeholders, allowed, GENERATED, allowedPaths);
        System.out.printf(Locale.ROOT, "docs: the %d distinct repository paths checked: %s%n", checkedPaths.size(), checkedPaths);
        assertThat(broken).withFailMessage("paths named in README.md and docs/ that do not exist:%n  %s",
                String.join("\n  ", broken)).isEmpty();
    }

    @Test
    void everyLinkLeadsSomewhere() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        int anchors = 0;
        for (Ref r : links) {
            String target = r.text().replaceAll("^<|>$", "");
            if (URL.matcher(target).matches() || target.startsWith("mailto:")) {
                continue;
            }
            checked++;
            int hash = target.indexOf('#');
            String file = hash < 0 ? target : target.substring(0, hash);
            String anchor = hash < 0 ? "" : target.substring(hash + 1);
            Path doc = ROOT.resolve(r.doc());
            Path p = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
            if (ROOT.relativize(p).toString().startsWith("../shared") && !sharedPresent()) {
                continue;
            }
            if (!Files.exists(p)) {
                broken.add(r.where() + ": link (" + target + ") leads to no file");
                continue;
            }
            if (!anchor.isEmpty() && p.toString().endsWith(".md")) {
                anchors++;
                if (!anchors(p).contains(anchor)) {
                    broken.add(r.where() + ": link (" + target + "): " + ROOT.relativize(p) + " has no heading #" + anchor);
                }
            }
        }
        System.out.printf(Locale.ROOT, "docs: %d links checked (%d with an anchor)%n", checked, anchors);
        assertThat(broken).withFailMessage("links in README.md and docs/ that lead nowhere:%n  %s",
                String.join("\n  ", broken)).isEmpty();
    }

    @Test
    void everyConfigurationKeyNamedIsReal() {
        List<String> broken = new ArrayList<>();
        Set<String> distinct = new TreeSet<>();
        for (Ref r : keys) {
            distinct.add(r.text());
            if (!real(r.text())) {
                broken.add(r.where() + ": `" + r.text() + "` is no key of LensConfig or application.properties");
            }
        }
        System.out.printf(Locale.ROOT, "docs: %d mentions of %d distinct lens.* keys checked against %d real keys and %d "
                + "map prefixes %s%n", keys.size(), distinct.size(), realKeys.size(), mapPrefixes.size(), mapPrefixes);
        assertThat(broken).withFailMessage("configuration keys named in README.md and docs/ that do not exist:%n  %s",
                String.join("\n  ", broken)).isEmpty();
    }

    /** A real key, a group of them ({@code lens.storage.s3}, {@code lens.model.check.*}) or an entry of a map. */
    private static boolean real(String key) {
        String k = key.endsWith(".*") ? key.substring(0, key.length() - 2) : key;
        if (realKeys.contains(k) || mapPrefixes.contains(k)) {
            return true;
        }
        if (realKeys.stream().anyMatch(r -> r.startsWith(k + "."))) {
            return true;
        }
        return mapPrefixes.stream().anyMatch(m -> k.startsWith(m + ".") && k.length() > m.length() + 1);
    }

    @Test
    void theConfigurationPageDocumentsEveryKey() {
        Set<String> documented = keys.stream().filter(r -> r.doc().equals("docs/configuration.md")).map(Ref::text)
                .collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        for (String key : realKeys) {
            if (!documented.contains(key)) {
                missing.add(key);
            }
        }
        int keysMissing = missing.size();
        for (String map : mapPrefixes) {
            if (documented.stream().noneMatch(d -> d.startsWith(map + "."))) {
                missing.add(map + ".<name>");
            }
        }
        System.out.printf(Locale.ROOT, "docs: docs/configuration.md names %d of the %d keys and %d of the %d map prefixes of "
                        + "LensConfig and application.properties%n", realKeys.size() - keysMissing, realKeys.size(),
                mapPrefixes.size() - (missing.size() - keysMissing), mapPrefixes.size());
        assertThat(missing).withFailMessage("keys of LensConfig / application.properties missing from docs/configuration.md:%n  %s",
                String.join("\n  ", missing)).isEmpty();
    }

    @Test
    void everyLensCommandNamedIsACommand() {
        List<String> broken = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Ref r : lensCommands) {
            seen.merge(r.text(), 1, Integer::sum);
            if (!commands.contains(r.text())) {
                broken.add(r.where() + ": `bin/lens " + r.text() + "` is no command of LensCli " + commands);
            }
        }
        System.out.printf(Locale.ROOT, "docs: %d mentions of bin/lens commands checked against %s: %s%n", lensCommands.size(),
                commands, seen);
        assertThat(broken).withFailMessage("bin/lens commands named in README.md and docs/ that do not exist:%n  %s",
                String.join("\n  ", broken)).isEmpty();
    }

    @Test
    void everyClassNamedExists() throws IOException {
        Set<String> sources = new HashSet<>();
        for (String module : List.of("core", "service", "spark", "bench", "bench/spark")) {
            for (String set : List.of("main", "test")) {
                Path dir = ROOT.resolve(module).resolve("src").resolve(set).resolve("java/com/listinglens");
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.walk(dir)) {
                        s.filter(p -> p.toString().endsWith(".java"))
                                .forEach(p -> sources.add(dir.relativize(p).toString().replace('\\', '/').replaceAll("\\.java$", "")));
                    }
                }
            }
        }
        List<String> broken = new ArrayList<>();
        Set<String> distinct = new TreeSet<>();
        for (Ref r : classes) {
            distinct.add(r.text());
            if (!sources.contains(r.text())) {
                broken.add(r.where() + ": class " + r.text().replace('/', '.') + " has no source file");
            }
        }
        System.out.printf(Locale.ROOT, "docs: %d mentions of %d distinct package-qualified classes checked%n", classes.size(),
                distinct.size());
        assertThat(broken).withFailMessage("classes named in README.md and docs/ that do not exist:%n  %s",
                String.join("\n  ", broken)).isEmpty();
    }

    /** Comments and Javadoc point at docs/ where figures moved out of them: those pointers must lead somewhere. */
    @Test
    void everyPointerFromTheCodeIntoDocsLeadsSomewhere() throws IOException {
        List<Path> sources = new ArrayList<>();
        sources.add(ROOT.resolve("service/src/main/resources/application.properties"));
        for (String dir : List.of("bin", "bench", "docker", "helm", "models", "native", ".ci", "core/src/main", "service/src/main",
                "spark/src/main")) {
            Path d = ROOT.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.filter(Files::isRegularFile).filter(p -> !generated(ROOT.relativize(p).toString()))
                            .filter(p -> !p.toString().matches(".*\\.(jpg|png|webp|gif|bmp|so|jar|bin|tgz)$"))
                            .forEach(sources::add);
                }
            }
        }
        List<String> broken = new ArrayList<>();
        int pointers = 0;
        for (Path source : sources) {
            List<String> lines;
            try {
                lines = Files.readAllLines(source);
            } catch (java.nio.charset.MalformedInputException e) {
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = DOC_POINTER.matcher(lines.get(i));
                while (m.find()) {
                    pointers++;
                    String where = ROOT.relativize(source) + ":" + (i + 1);
                    Path target = ROOT.resolve(m.group(1));
                    if (!Files.isRegularFile(target)) {
                        broken.add(where + ": " + m.group(1) + " does not exist");
                    } else if (m.group(2) != null && !anchors(target).contains(m.group(2).substring(1))) {
                        broken.add(where + ": " + m.group(1) + " has no heading " + m.group(2));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "docs: %d pointers into docs/ from %d files of code, scripts and configuration checked%n",
                pointers, sources.size());
        assertThat(broken).withFailMessage("pointers into docs/ that lead nowhere:%n  %s", String.join("\n  ", broken)).isEmpty();
    }

    private static final Map<Path, Set<String>> ANCHORS = new LinkedHashMap<>();

    /** The anchors of a Markdown file, as GitHub makes them from its headings (and explicit {@code <a id>}s). */
    private static synchronized Set<String> anchors(Path file) throws IOException {
        Set<String> known = ANCHORS.get(file);
        if (known != null) {
            return known;
        }
        Set<String> out = new HashSet<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(file)) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher a = HTML_ANCHOR.matcher(line);
            while (a.find()) {
                out.add(a.group(1));
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = slug(h.group(2));
                int seen = counts.merge(slug, 1, Integer::sum);
                out.add(seen == 1 ? slug : slug + "-" + (seen - 1));
            }
        }
        ANCHORS.put(file, out);
        return out;
    }

    /** GitHub's heading anchor: the text without markup, lower case, punctuation dropped, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
        return text.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
