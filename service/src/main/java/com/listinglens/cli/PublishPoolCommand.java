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
                + "pools/<tenant>/current to it once every file is in place; or (--point-to) move the pointer to a version "
                + "already in the store, as a rollback does (a new pointer, signed when a signing key is set).")
public final class PublishPoolCommand implements Callable<Integer> {

    @Option(names = {"-p", "--pool"}, description = "pool directory (manifest.json, index.faiss, listings.bin, ...)")
    Path pool;

    @Option(names = "--point-to", description = "a version already in the store: move the tenant's pointer to it, upload nothing")
    String pointTo;

    @Mixin
    SharedOptions.Tenant tenant = new SharedOptions.Tenant();

    @Option(names = "--no-pointer", description = "upload only; leave the tenant's pointer where it is")
    boolean noPointer;

    @Override
    public Integer call() {
        if ((pool == null) == (pointTo == null)) {
            throw new IllegalArgumentException("give either --pool (a pool directory to upload) or --point-to (a version in the store)");
        }
        if (pointTo != null && noPointer) {
            throw new IllegalArgumentException("--point-to moves the pointer; --no-pointer would leave nothing to do");
        }
        LensConfig config = ConfigLoader.load();
        try (Artifacts artifacts = Settings.artifacts(config)) {
            if (pointTo != null) {
                Settings.publisher(config, artifacts, System.err).pointTo(tenant.orDefault(config), pointTo);
            } else {
                Settings.publisher(config, artifacts, System.err).publishPool(pool, tenant.orDefault(config), !noPointer);
            }
        }
        return 0;
    }
}
