package com.listinglens.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The store as an S3 bucket (AWS or any server speaking the protocol), through the AWS SDK v2 with the Apache
 * HTTP client. Files from {@link S3Settings#multipartThreshold()} up are uploaded in parts; a failed multipart
 * upload is aborted so that no half object stays behind. Network failures, throttling and server errors surface as
 * {@link StorageUnavailableException}; a missing key as an empty answer or {@link BlobNotFoundException}.
 */
public final class S3BlobStore implements BlobStore {

    /**
     * Creates the local file a download is written into. The service uses the file system as it is; the disk-full
     * drills put a small disk behind it (a write past its size fails with the kernel's ENOSPC), so that they need
     * no mount and run everywhere.
     */
    @FunctionalInterface
    public interface LocalFiles {
        LocalFiles DIRECT = target -> Files.newOutputStream(target);

        OutputStream create(Path target) throws IOException;
    }

    private final S3Settings settings;
    private final S3Client s3;
    private final LocalFiles localFiles;

    public S3BlobStore(S3Settings settings) {
        this(settings, LocalFiles.DIRECT);
    }

    /** A store whose downloads are written through {@code localFiles}. */
    public S3BlobStore(S3Settings settings, LocalFiles localFiles) {
        this.settings = settings;
        this.localFiles = Objects.requireNonNull(localFiles, "localFiles");
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                // checksums only where the protocol needs them: S3 protocol servers other than AWS vary in support
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(settings.callTimeout())
                        .socketTimeout(settings.callTimeout()))
                .overrideConfiguration(o -> o
                        .apiCallAttemptTimeout(settings.callTimeout())
                        .retryStrategy(r -> r.maxAttempts(settings.retries() + 1)))
                .credentialsProvider(settings.accessKey() != null
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
                        : DefaultCredentialsProvider.builder().build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
    }

    @Override
    public Optional<byte[]> read(String key) {
        return call("read " + key, () -> {
            try {
                return Optional.of(s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void download(String key, Path target) {
        call("download " + key, () -> {
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(settings.bucket()).key(key))) {
                copy(in, key, target);
                return null;
            } catch (NoSuchKeyException e) {
                throw new BlobNotFoundException(key, describe());
            } catch (IOException e) {
                throw new StorageUnavailableException("download of " + key + " broke off: " + e.getMessage(), e);
            }
        });
    }

    /**
     * Streams the object into {@code target}, telling a broken download (the store's fault: retried, the store is
     * reported unavailable) from a failed local write (a full or read-only cache disk: this machine's fault, said so).
     */
    private void copy(InputStream in, String key, Path target) throws IOException {
        byte[] buffer = new byte[1 << 16];
        OutputStream out;
        try {
            out = localFiles.create(target);
        } catch (IOException e) {
            throw local(target, e);
        }
        try (out) {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new StorageUnavailableException("download of " + key + " broke off: " + e.getMessage(), e);
                }
                if (n < 0) {
                    break;
                }
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw local(target, e);
                }
            }
        } catch (IOException e) { // from closing (flushing) the local file
            throw local(target, e);
        }
    }

    private static StorageException local(Path target, IOException e) {
        return new LocalStorageException("cannot write the local file " + target + " (is the cache disk full or read-only?): "
                + e.getMessage(), e);
    }

    @Override
    public void upload(Path file, String key) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (size < settings.multipartThreshold()) {
            call("upload " + key, () -> s3.putObject(b -> b.bucket(settings.bucket()).key(key), RequestBody.fromFile(file)));
            return;
        }
        String uploadId = call("start upload of " + key,
                () -> s3.createMultipartUpload(b -> b.bucket(settings.bucket()).key(key)).uploadId());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) Math.min(settings.partSize(), size)];
            long offset = 0;
            for (int number = 1; offset < size; number++) {
                int length = (int) Math.min(buffer.length, size - offset);
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, length);
                while (bb.hasRemaining()) {
                    if (channel.read(bb, offset + bb.position()) < 0) {
                        throw new IOException(file + " shrank while it was uploaded");
                    }
                }
                int partNumber = number;
                RequestBody body = RequestBody.fromBytes(length == buffer.length ? buffer : Arrays.copyOf(buffer, length));
                String etag = call("upload part " + number + " of " + key, () -> s3.uploadPart(b -> b.bucket(settings.bucket())
                        .key(key).uploadId(uploadId).partNumber(partNumber).contentLength((long) length), body).eTag());
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                offset += length;
            }
            call("complete upload of " + key, () -> s3.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(key)
                    .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
            } catch (SdkException abort) {
                e.addSuppressed(abort);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String key, byte[] bytes) {
        call("write " + key, () -> s3.putObject(b -> b.bucket(settings.bucket()).key(key), RequestBody.fromBytes(bytes)));
    }

    @Override
    public Optional<Long> size(String key) {
        return call("stat " + key, () -> {
            try {
                return Optional.of(s3.headObject(b -> b.bucket(settings.bucket()).key(key)).contentLength());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public List<String> list(String prefix) {
        return call("list " + prefix, () -> s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix))
                .contents().stream().map(S3Object::key).sorted().toList());
    }

    @Override
    public void delete(String key) {
        call("delete " + key, () -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(key)));
    }

    /** Creates the bucket when it does not exist (tests and first-time set-ups). */
    public void createBucketIfMissing() {
        call("create bucket", () -> {
            try {
                s3.headBucket(b -> b.bucket(settings.bucket()));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
                s3.createBucket(b -> b.bucket(settings.bucket()));
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + (settings.endpoint() != null ? " at " + settings.endpoint() : "");
    }

    @Override
    public void close() {
        s3.close();
    }

    /** Runs an SDK call, turning its failures into the store's exceptions. */
    private <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (StorageException e) {
            throw e;
        } catch (S3Exception e) {
            String detail = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage();
            throw new StorageUnavailableException(describe() + ": cannot " + what + ": HTTP " + e.statusCode() + " " + detail, e);
        } catch (SdkClientException e) {
            throw new StorageUnavailableException(describe() + ": cannot " + what + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StorageUnavailableException(describe() + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
