package com.listinglens.storage;

import java.util.regex.Pattern;

/**
 * The keys of the artifact store, under an optional prefix:
 * <pre>
 *   models/&lt;name&gt;/&lt;version&gt;/manifest.json + model files     models/&lt;name&gt;/current
 *   pools/&lt;tenant&gt;/&lt;version&gt;/manifest.json + pool files     pools/&lt;tenant&gt;/current
 * </pre>
 * A signed version has {@code manifest.json.sig} beside its manifest ({@link ManifestSignature}).
 * A {@code current} pointer names the version to serve; publishers move it only after every file of the version
 * is in place. Names and versions are single path segments of letters, digits, '.', '_' and '-' (no "..").
 */
public final class Layout {

    public static final String MANIFEST = "manifest.json";
    /** The manifest's signature, beside it. */
    public static final String SIGNATURE = "manifest.json.sig";
    public static final String POINTER = "current";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,127}/)*");

    private final String prefix;

    /** @param prefix folder of the layout inside the store, "" for its root ("a/b" and "a/b/" alike) */
    public Layout(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        if (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (!p.isEmpty() && !p.endsWith("/")) {
            p = p + "/";
        }
        if (!PREFIX.matcher(p).matches() || p.contains("/../") || p.startsWith("../")) {
            throw new IllegalArgumentException("store prefix '" + prefix + "' is not a plain folder path");
        }
        this.prefix = p;
    }

    /** Checks a tenant, model name or version: one safe path segment. */
    public static String segment(String kind, String value) {
        if (value == null || !SEGMENT.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(kind + " '" + value + "' must be 1-128 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        return value;
    }

    public static boolean isSegment(String value) {
        return value != null && SEGMENT.matcher(value).matches() && !value.contains("..");
    }

    public String prefix() {
        return prefix;
    }

    public String poolPointer(String tenant) {
        return prefix + "pools/" + segment("tenant", tenant) + "/" + POINTER;
    }

    /** Folder of one pool version, ending in '/'. */
    public String poolVersion(String tenant, String version) {
        return prefix + "pools/" + segment("tenant", tenant) + "/" + segment("pool version", version) + "/";
    }

    public String poolsOf(String tenant) {
        return prefix + "pools/" + segment("tenant", tenant) + "/";
    }

    public String modelPointer(String name) {
        return prefix + "models/" + segment("model name", name) + "/" + POINTER;
    }

    /** Folder of one model version, ending in '/'. */
    public String modelVersion(String name, String version) {
        return prefix + "models/" + segment("model name", name) + "/" + segment("model version", version) + "/";
    }

    /** A file of a version folder; the file name is checked like a segment. */
    public static String file(String folder, String name) {
        return folder + segment("file name", name);
    }
}
