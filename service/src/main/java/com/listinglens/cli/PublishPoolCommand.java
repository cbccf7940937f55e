package com.listinglens.cli;

import com.listinglens.config.Settings;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.storage.Artifacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lens publish-pool}: a built pool directory into the store, pointer moved last. */
@Command(name = "publish-pool", mixinStandardHelpOptions = true,
        description = "Upload a pool directory to the store (lens.storage.*) as pools/<tenant>/<version>/ and move "
                + "pools/<tenant>/current to it once every file is in place.")
public final class PublishPoolCommand implements Callable<Integer> {

    @Option(names = {"-p", "--pool"}, required = true, description = "pool directory (manifest.json, index.faiss, listings.bin, ...)")
    Path pool;

    @Mixin
    SharedOptions.Tenant tenant = new SharedOptions.Tenant();

    @Option(names = "--no-pointer", description = "upload only; leave the tenant's pointer where it is")
    boolean noPointer;

    @Override
    public Integer call() {
        LensConfig config = ConfigLoader.load();
        try (Artifacts artifacts = Settings.artifacts(config)) {
            Settings.publisher(config, artifacts, System.err)
                    .publishPool(pool, tenant.orDefault(config), !noPointer);
        }
        return 0;
    }
}
