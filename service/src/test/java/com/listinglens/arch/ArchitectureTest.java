package com.listinglens.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.support.Root;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the core library and the service, on their compiled classes (tests excluded): no cycles
 * between packages, and the data's path kept in order (pure logic does no I/O and knows nothing of HTTP).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // main classes only: the service's own and the core jar's (not the core's test jar, also on this classpath)
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
                .importPackages("com.listinglens");
    }

    @Test
    void theCoreAndTheServiceAreBothImported() {
        org.assertj.core.api.Assertions.assertThat(classes.contain("com.listinglens.suggest.Suggester")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.contain("com.listinglens.api.AdminGate")).isTrue();
        org.assertj.core.api.Assertions.assertThat(classes.contain("com.listinglens.image.TestImageFixtures")).as("no test classes").isFalse();
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("com.listinglens.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void pureLogicDoesNoIoAndKnowsNoHttp() {
        noClasses().that().resideInAnyPackage("..suggest..", "..calibration..", "..projection..", "..search..", "..budget..")
                .should().dependOnClassesThat().resideInAnyPackage("..storage..", "..cache..", "..live..", "..api..", "..app..",
                        "..cli..", "jakarta.ws.rs..", "io.vertx..", "redis.clients..", "software.amazon..")
                .check(classes);
    }

    @Test
    void theEvaluationsComputationsDoNoIo() {
        // scores, reliability bins, confusions and figures are computed in memory; CalibrationStep is the one tool that
        // reads a catalog and photos, and the command line reads and writes results and PNGs
        noClasses().that().resideInAPackage("com.listinglens.eval..").and().haveNameNotMatching(".*\\.CalibrationStep(\\$.*)?")
                .should().dependOnClassesThat().belongToAnyOf(java.nio.file.Files.class, java.io.File.class,
                        java.io.FileInputStream.class, java.io.FileOutputStream.class, java.io.RandomAccessFile.class,
                        javax.imageio.ImageIO.class)
                .orShould().dependOnClassesThat().resideInAnyPackage("..storage..", "..cache..", "..live..")
                .check(classes);
    }

    @Test
    void trainingKnowsNothingOfPoolsStorageOrHttp() {
        noClasses().that().resideInAPackage("com.listinglens.training..")
                .should().dependOnClassesThat().resideInAnyPackage("..pool..", "..storage..", "..cache..", "..live..", "..api..",
                        "..app..", "..cli..", "..config..", "jakarta.ws.rs..", "io.vertx..", "redis.clients..", "software.amazon..")
                .check(classes);
    }

    @Test
    void theCoreKnowsNothingOfTheService() {
        noClasses().that().resideOutsideOfPackages("..api..", "..app..", "..cli..", "..spark..")
                .should().dependOnClassesThat().resideInAnyPackage("com.listinglens.api..", "com.listinglens.app..",
                        "com.listinglens.cli..", "io.quarkus..", "jakarta.ws.rs..")
                .check(classes);
    }

    @Test
    void onlyTheToolsAndTheServiceReadConfiguration() {
        noClasses().that().resideOutsideOfPackages("com.listinglens.config..", "com.listinglens.eval..", "com.listinglens.api..",
                        "com.listinglens.app..", "com.listinglens.cli..", "com.listinglens.spark..")
                .should().dependOnClassesThat().resideInAPackage("com.listinglens.config..")
                .check(classes);
    }

    @Test
    void theTestSourcesHoldNoPrograms() throws IOException {
        // the workshop lives in its own module (bench/: benchmarks, experiments, long fuzz runs, the test images'
        // generator); a test source set holds tests and their fixtures
        Pattern main = Pattern.compile("static\\s+void\\s+main\\s*\\(");
        Path root = Root.path();
        List<String> programs = new ArrayList<>();
        for (String module : List.of("core", "service", "spark")) {
            Path dir = root.resolve(module).resolve("src/test/java");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                    if (main.matcher(Files.readString(f)).find()) {
                        programs.add(root.relativize(f).toString());
                    }
                }
            }
        }
        assertThat(programs).as("main() under src/test: move it to bench/").isEmpty();
    }

    @Test
    void resourcesAreTheOnlyHttpLayer() {
        noClasses().that().resideInAPackage("com.listinglens.app..")
                .should().dependOnClassesThat().resideInAnyPackage("com.listinglens.api..", "jakarta.ws.rs.core..")
                .check(classes);
    }
}
