package com.listinglens.config;

import com.listinglens.support.Root;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each default of {@link LensConfig} is written in one place: as its {@code @WithDefault} or in application.properties
 * (what depends on lens.shared-dir or on a profile), never both, so that the two cannot drift apart as
 * lens.build.projection, lens.build.calibration-catalog and lens.model.batching.max-batch once did (the file's value was
 * the one in effect; it is the one kept).
 */
class ConfigDefaultsTest {

    static final Path PROPERTIES = Root.path().resolve("service/src/main/resources/application.properties");

    @Test
    void noKeyHasADefaultInBothPlaces() throws Exception {
        Map<String, String> withDefault = new TreeMap<>();
        collect(LensConfig.class, "lens", withDefault);
        assertThat(withDefault).as("LensConfig's @WithDefault keys").hasSizeGreaterThan(50);

        List<String> twice = new ArrayList<>();
        for (String line : Files.readAllLines(PROPERTIES)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || !l.contains("=")) {
                continue;
            }
            String key = l.substring(0, l.indexOf('=')).strip();
            String value = l.substring(l.indexOf('=') + 1).strip();
            // a profile's value (%test.lens...) overrides a default; it is not a second default
            if (withDefault.containsKey(key)) {
                twice.add(key + " = " + value + " (application.properties) and @WithDefault(\"" + withDefault.get(key) + "\")");
            }
        }
        assertThat(twice).as("keys with a default both in application.properties and in LensConfig's @WithDefault: "
                + "keep one (application.properties where it depends on lens.shared-dir or a profile)").isEmpty();
    }

    @Test
    void theSettledConflictsKeepTheValuesThatWereInEffect() {
        LensConfig config = ConfigLoader.load();
        assertThat(config.build().projection()).isEqualTo("lda");
        assertThat(config.build().calibrationCatalog()).endsWith("datasets/grocery/val.jsonl");
        assertThat(config.model().batching().maxBatch()).isEqualTo(2);
        // kept in application.properties beside their %test. values
        assertThat(config.request().deadline()).hasMillis(500);
        assertThat(config.live().enabled()).isTrue();
    }

    /** The @WithDefault of each key of a @ConfigMapping interface (SmallRye's kebab-case names, groups nested). */
    private static void collect(Class<?> type, String prefix, Map<String, String> into) {
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.isSynthetic() || m.getParameterCount() > 0) {
                continue;
            }
            WithName named = m.getAnnotation(WithName.class);
            String key = prefix + "." + (named != null ? named.value() : m.getName().replaceAll("([A-Z])", "-$1").toLowerCase());
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getEnclosingClass() != null && r.getName().startsWith(LensConfig.class.getName())) {
                collect(r, key, into);
            } else if (m.getAnnotation(WithDefault.class) != null) {
                into.put(key, m.getAnnotation(WithDefault.class).value());
            }
        }
    }
}
