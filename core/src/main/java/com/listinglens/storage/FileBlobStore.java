package com.listinglens.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The store as a local folder (or a read-only volume): keys are relative paths under the root. Objects are
 * written to a temporary file beside their place and renamed into it, so a reader never sees half a file.
 * Objects can be read in place ({@link #localFile(String)}): nothing is copied before serving.
 */
public final class FileBlobStore implements BlobStore {

    private final Path root;

    public FileBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    private Path path(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.contains("\\")) {
            throw new IllegalArgumentException("invalid key '" + key + "'");
        }
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key '" + key + "' leaves the store");
        }
        return p;
    }

    @Override
    public Optional<byte[]> read(String key) {
        try {
            return Optional.of(Files.readAllBytes(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageUnavailableException("cannot read " + path(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void download(String key, Path target) {
        Path source = path(key);
        if (!Files.isRegularFile(source)) {
            throw new BlobNotFoundException(key, describe());
        }
        try {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageUnavailableException("cannot copy " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void upload(Path file, String key) {
        Path target = path(key);
        if (!Files.isRegularFile(file)) {
            throw new StorageException("cannot upload " + file + ": no such file");
        }
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling("." + target.getFileName() + ".part-" + System.nanoTime());
            try {
                Files.copy(file, tmp);
                move(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StorageUnavailableException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String key, byte[] bytes) {
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling("." + target.getFileName() + ".part-" + System.nanoTime());
            try {
                Files.write(tmp, bytes);
                move(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StorageUnavailableException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public Optional<Long> size(String key) {
        Path p = path(key);
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.size(p)) : Optional.empty();
        } catch (IOException e) {
            throw new StorageUnavailableException("cannot stat " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : path(prefix.substring(0, slash));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.startsWith(prefix) && !p.getFileName().toString().startsWith(".")) {
                    keys.add(key);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new StorageUnavailableException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(path(key));
        } catch (IOException e) {
            throw new StorageUnavailableException("cannot delete " + path(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Path> localFile(String key) {
        return Optional.of(path(key));
    }

    @Override
    public String describe() {
        return root.toUri().toString();
    }
}
