/**
 * A published pool: its files, manifest, listing store, re-ranking rows, overlay of live changes, and the
 * reference-counted swap of versions (PoolManager). Reads local files; fetching them is storage's job.
 */
package com.listinglens.pool;
