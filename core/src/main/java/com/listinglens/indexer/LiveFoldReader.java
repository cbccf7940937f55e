package com.listinglens.indexer;

import com.listinglens.live.Change;
import com.listinglens.live.ChangeLog;
import com.listinglens.live.FoldedChanges;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.Pointer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The live changes a build of a tenant folds. While the change log was never trimmed: the whole log, as always. Once
 * it was: the changes the base pool (the tenant's current pool, or a named version) folded and carries
 * ({@link PoolFiles#LIVE_CHANGES}), then the log after the base's fold. A base that folded less than the log was
 * trimmed, or that does not carry its folded changes, is refused: the build would silently lack changes.
 */
public final class LiveFoldReader {

    private LiveFoldReader() {
    }

    /**
     * @param baseVersion the pool whose folded changes the build starts from (null: the tenant's current pool, and
     *                    only once the log was trimmed)
     * @return the changes, or null when there is none to fold
     */
    public static PoolBuildRequest.LiveChanges read(ChangeLog log, Artifacts artifacts, String tenant, String baseVersion,
                                                    int pageSize, PrintStream out) {
        ChangeId trimmed = log.trimmed(tenant);
        List<Change> changes = new ArrayList<>();
        ChangeId from = ChangeId.ZERO;
        if (trimmed.isAfter(ChangeId.ZERO) || baseVersion != null) {
            Pointer pointer = (baseVersion == null ? artifacts.poolPointer(tenant) : artifacts.versionPointer(tenant, baseVersion))
                    .orElseThrow(() -> new IllegalStateException("the change log of tenant " + tenant + " was trimmed through "
                            + trimmed + ", and the changes before are carried by the pools that folded them, but "
                            + (baseVersion == null ? "no pool is published for the tenant" : "pool " + baseVersion + " is not in the store")
                            + " in " + artifacts.store().describe()));
            Manifest base = artifacts.poolManifest(tenant, pointer);
            ChangeId fold = base.live() == null ? ChangeId.ZERO : orZero(ChangeId.parseOrNull(base.live().through()));
            if (trimmed.isAfter(fold)) {
                throw new IllegalStateException("the change log of tenant " + tenant + " was trimmed through " + trimmed
                        + " but pool " + base.poolVersion() + " folded it only through " + fold + ": the changes in between are "
                        + "in no log and not in that pool; name a pool that folded at least " + trimmed + " with --live-base");
            }
            if (fold.isAfter(ChangeId.ZERO)) {
                if (!base.hasFile(PoolFiles.LIVE_CHANGES)) {
                    if (trimmed.isAfter(ChangeId.ZERO)) {
                        throw new IllegalStateException("the change log of tenant " + tenant + " was trimmed through " + trimmed
                                + " but pool " + base.poolVersion() + " does not carry the changes it folded ("
                                + PoolFiles.LIVE_CHANGES + "): name a pool that does with --live-base");
                    }
                    // an older pool, and an untrimmed log: the whole log, as before
                } else {
                    Path tmp = null;
                    try {
                        tmp = Files.createTempFile("lens-live-changes", ".ndjson");
                        changes.addAll(FoldedChanges.read(artifacts.fetchPoolFile(tenant, base, PoolFiles.LIVE_CHANGES, tmp)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        deleteQuietly(tmp);
                    }
                    from = fold;
                    out.printf(Locale.ROOT, "pool %s carries %d folded changes through %s (the log is trimmed through %s)%n",
                            base.poolVersion(), changes.size(), fold, trimmed);
                }
            }
        }
        int carried = changes.size();
        ChangeId through = from;
        long unreadable = 0;
        while (true) {
            ChangeLog.Batch batch = log.read(tenant, through, pageSize);
            if (batch.isEmpty()) {
                break;
            }
            changes.addAll(batch.changes());
            unreadable += batch.errors().size();
            batch.errors().forEach(e -> out.println("skipped unreadable change: " + e));
            through = batch.last();
        }
        ChangeId trimmedAfter = log.trimmed(tenant);
        if (trimmedAfter.isAfter(from)) {
            // trimmed while it was read: entries after the base may have gone before they were read
            throw new IllegalStateException("the change log of tenant " + tenant + " was trimmed through " + trimmedAfter
                    + " while the build read it after " + from + "; run the build again");
        }
        out.printf(Locale.ROOT, "change log of %s in %s: %d changes after %s through %s%s%n", tenant, log.describe(),
                changes.size() - carried, from, through, unreadable > 0 ? " (" + unreadable + " unreadable, skipped)" : "");
        return changes.isEmpty() && through.equals(ChangeId.ZERO) ? null : new PoolBuildRequest.LiveChanges(changes, through);
    }

    private static ChangeId orZero(ChangeId id) {
        return id == null ? ChangeId.ZERO : id;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
