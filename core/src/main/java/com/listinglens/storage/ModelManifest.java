package com.listinglens.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a published model version is: the embedding space it writes into, its dimension, the views (crop sizes) it
 * embeds photos at (empty in versions published before views were recorded: then the service's configured views), and
 * one file per precision ("int8", "fp32", "fp16"), each with size and sha-256, and the probe photos it travels with
 * (empty in versions published without them): a few real photos on which the service, wherever it runs, compares
 * its int8 paths with fp32 at start and times them (the start-up probe), so that a pod needs no catalog to choose a
 * measured path.
 */
public record ModelManifest(int formatVersion, String name, String version, String space, int dimension,
                            Instant publishedAt, List<ModelFile> files, List<Integer> views, List<FileEntry> probe) {

    public static final int FORMAT_VERSION = 1;

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    public ModelManifest {
        files = files == null ? List.of() : List.copyOf(files);
        views = views == null ? List.of() : List.copyOf(views);
        probe = probe == null ? List.of() : List.copyOf(probe);
    }

    /** One model file: a TorchScript module of one precision. */
    public record ModelFile(String name, String precision, long bytes, String sha256) {
        public FileEntry entry() {
            return new FileEntry(name, bytes, sha256);
        }
    }

    public Optional<ModelFile> file(String precision) {
        String p = precision.toLowerCase(Locale.ROOT);
        return files.stream().filter(f -> f.precision().equalsIgnoreCase(p)).findFirst();
    }

    /** Every file of the version: the model files, then the probe photos. */
    public List<FileEntry> entries() {
        List<FileEntry> all = new ArrayList<>(files.stream().map(ModelFile::entry).toList());
        all.addAll(probe);
        return List.copyOf(all);
    }

    public static ModelManifest parse(byte[] json, String where) {
        try {
            JsonNode tree = JSON.readTree(json);
            int format = tree == null ? -1 : tree.path("formatVersion").asInt(-1);
            if (format != FORMAT_VERSION) {
                throw new ArtifactRefusedException("unknown-format", "model manifest " + where + " has format version "
                        + (tree == null ? "none" : tree.path("formatVersion")) + "; this service reads version " + FORMAT_VERSION);
            }
            ModelManifest m = JSON.treeToValue(tree, ModelManifest.class);
            if (m.space() == null || m.dimension() <= 0 || m.files().isEmpty()) {
                throw new ArtifactRefusedException("invalid-manifest", "model manifest " + where + " lacks its space, dimension or files");
            }
            if (m.entries().stream().map(FileEntry::name).distinct().count() != m.entries().size()) {
                throw new ArtifactRefusedException("invalid-manifest", "model manifest " + where + " names a file twice");
            }
            return m;
        } catch (IOException e) {
            throw new ArtifactRefusedException("invalid-manifest", "model manifest " + where + " is unreadable: " + e.getMessage(), e);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
