package com.listinglens.indexer;

import com.listinglens.pool.Manifest;

import java.nio.file.Path;

/**
 * What a pool build did: the pool written and its manifest, the catalog lines rejected and the photos that could not
 * be used, and the build's seconds.
 */
public record PoolBuildReport(Path pool, Manifest manifest, long rejectedLines, long unreadableImages, double seconds) {
}
