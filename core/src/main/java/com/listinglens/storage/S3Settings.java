package com.listinglens.storage;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach a bucket.
 *
 * @param bucket             bucket name
 * @param endpoint           endpoint of an S3 protocol server other than AWS (null for AWS)
 * @param region             signing region
 * @param pathStyle          path-style addressing (most S3 protocol servers need it)
 * @param accessKey          static access key (null: the SDK's default credential chain)
 * @param secretKey          static secret key
 * @param callTimeout        longest wait for one call attempt (small objects; big downloads stream beyond it)
 * @param retries            retries of the SDK inside one call (the watcher adds its own backoff across calls)
 * @param multipartThreshold files at least this big are uploaded in parts
 * @param partSize           size of one part (S3 wants at least 5 MiB except for the last)
 */
public record S3Settings(String bucket, URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
                         Duration callTimeout, int retries, long multipartThreshold, long partSize) {

    public static final long MIN_PART = 5L << 20;

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("an S3 store needs a bucket (lens.storage.s3.bucket)");
        }
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("S3 parts must be at least 5 MiB, not " + partSize + " bytes");
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("the multipart threshold must be at least one part (" + partSize + " bytes)");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both an S3 access key and a secret key, or neither");
        }
    }

    /** Without the secret key. */
    @Override
    public String toString() {
        return "S3Settings[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "(redacted)") + ", callTimeout=" + callTimeout
                + ", retries=" + retries + ", multipartThreshold=" + multipartThreshold + ", partSize=" + partSize + "]";
    }
}
