package com.listinglens.cli;

import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options several tools share, each declared once and mixed into its commands with {@code @Mixin}: the same
 * names, description and default everywhere.
 */
final class SharedOptions {

    private SharedOptions() {
    }

    /** {@code -t, --tenant}: build-pool, publish-pool, changes. */
    static final class Tenant {

        @Option(names = {"-t", "--tenant"}, description = "tenant; default: lens.default-tenant")
        String tenant;

        /** Whether --tenant was given. */
        boolean named() {
            return tenant != null;
        }

        /** The tenant given, else lens.default-tenant. */
        String orDefault(LensConfig config) {
            return tenant != null ? tenant : Settings.defaultTenant(config);
        }
    }

    /** {@code --image-root}: build-pool, embed, evaluate, check-model. */
    static final class ImageRoot {

        @Option(names = "--image-root", description = "folder the catalogs' image paths are relative to; default: each catalog's folder")
        Path imageRoot;

        /** The folder given, else {@code fallback} (null: each catalog's own folder). */
        Path orElse(Path fallback) {
            return imageRoot != null ? imageRoot : fallback;
        }

        /** The folder given, else the folder of {@code catalog}. */
        Path of(Path catalog) {
            return imageRoot != null ? imageRoot : catalog.toAbsolutePath().getParent();
        }
    }

    /** {@code --precision} of the model that embeds photos for a pool: build-pool, embed. */
    static final class BuildPrecision {

        @Option(names = "--precision", description = "model precision used to embed: fp32 or int8; default: lens.build.precision")
        String precision;

        /** The precision given, else lens.build.precision. */
        String orDefault(LensConfig config) {
            return precision != null ? precision : config.build().precision();
        }
    }
}
