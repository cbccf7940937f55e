/**
 * The artifact store (folder or S3): publishing and fetching model and pool versions, pointers, manifests' checksums
 * and signatures, the local cache, backoff. Knows nothing of HTTP.
 */
package com.listinglens.storage;
