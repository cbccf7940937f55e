package com.listinglens.vector;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates FAISS factory strings against the subset this binding supports, before they reach
 * {@code faiss::index_factory}.
 *
 * <p>This check is needed for safety, not just for nicer messages: the FAISS 1.7.3 factory builds
 * objects straight from the numbers in the string, so e.g. {@code "PQ0"} divides by zero (killing
 * the JVM) and {@code "PQ8x30"} or {@code "IMI2x16"} allocate tens of gigabytes. Only the grammar
 * below, with bounded numbers, is passed on:
 *
 * <pre>
 * factory   = [ ("IDMap" | "IDMap2") "," ] { transform "," } core
 * transform = "PCA" ["W"] ["R"] N | "L2norm" | "RR" [N] | "OPQ" M ["_" N]
 * core      = "Flat" | sq | pq
 *           | "IVF" N [ "_HNSW" [M] ] "," ( "Flat" | sq | pq )
 *           | "HNSW" [M] [ ("_" | ",") ( "Flat" | sq ) ]
 * sq        = "SQ4" | "SQ6" | "SQ8" | "SQfp16"
 * pq        = "PQ" M [ "x" BITS ] [ "np" ]
 * </pre>
 */
final class FactoryStrings {

    static final int MAX_NLIST = 1 << 20;
    static final int MAX_HNSW_M = 256;
    static final int MAX_PQ_BITS = 16;

    private static final Pattern PCA = Pattern.compile("PCA(W?)(R?)(\\d+)");
    private static final Pattern RR = Pattern.compile("RR(\\d+)?");
    private static final Pattern OPQ = Pattern.compile("OPQ(\\d+)(?:_(\\d+))?");
    private static final Pattern IVF = Pattern.compile("IVF(\\d+)(?:_HNSW(\\d*))?");
    private static final Pattern HNSW = Pattern.compile("HNSW(\\d*)(?:[_,](.*))?");
    private static final Pattern SQ = Pattern.compile("SQ(4|6|8|fp16)");
    private static final Pattern PQ = Pattern.compile("PQ(\\d+)(?:x(\\d+))?(np)?");

    static final String SUPPORTED = "[IDMap,|IDMap2,] [PCA<d>,|PCAW<d>,|PCAR<d>,|RR<d>,|OPQ<m>[_<d>],|L2norm,]..."
            + " Flat | SQ4|SQ6|SQ8|SQfp16 | PQ<m>[x<bits>][np] | IVF<nlist>[_HNSW<m>],(Flat|SQ..|PQ..)"
            + " | HNSW<m>[_SQ..]";

    private FactoryStrings() {}

    /** Throws IllegalArgumentException unless {@code factory} is a supported, sane factory string. */
    static void validate(String factory, int dimension) {
        String[] parts = factory.split(",", -1);
        int i = 0;
        int d = dimension;
        if (parts[0].equals("IDMap") || parts[0].equals("IDMap2")) {
            i++;
        }
        // pre-transforms
        for (; i < parts.length - 1; i++) {
            int out = transform(factory, parts[i], d);
            if (out < 0) {
                break;
            }
            d = out;
        }
        if (i >= parts.length) {
            throw bad(factory, "it has no index after its prefixes");
        }
        String rest = String.join(",", Arrays.copyOfRange(parts, i, parts.length));
        core(factory, rest, d);
    }

    /** Returns the output dimension, or -1 if {@code part} is not a transform. */
    private static int transform(String factory, String part, int d) {
        Matcher m;
        if ((m = PCA.matcher(part)).matches()) {
            int out = number(factory, m.group(3), FaissIndex.MAX_DIMENSION);
            if (out > d) {
                throw bad(factory, "PCA cannot raise the dimension from " + d + " to " + out);
            }
            return out;
        }
        if (part.equals("L2norm") || part.equals("L2Norm")) {
            return d;
        }
        if ((m = RR.matcher(part)).matches()) {
            return m.group(1) == null ? d : number(factory, m.group(1), FaissIndex.MAX_DIMENSION);
        }
        if ((m = OPQ.matcher(part)).matches()) {
            int sub = number(factory, m.group(1), FaissIndex.MAX_DIMENSION);
            int out = m.group(2) == null ? d : number(factory, m.group(2), FaissIndex.MAX_DIMENSION);
            if (out % sub != 0) {
                throw bad(factory, "OPQ" + sub + " needs an output dimension divisible by " + sub + ", got " + out);
            }
            return out;
        }
        return -1;
    }

    private static void core(String factory, String core, int d) {
        if (core.equals("Flat")) {
            return;
        }
        if (encoding(factory, core, d)) {
            return;
        }
        Matcher m;
        if ((m = HNSW.matcher(core)).matches()) {
            if (!m.group(1).isEmpty()) {
                number(factory, m.group(1), 2, MAX_HNSW_M, "HNSW M");
            }
            String code = m.group(2);
            if (code == null || code.isEmpty() || code.equals("Flat") || SQ.matcher(code).matches()) {
                return;
            }
            throw bad(factory, "HNSW storage '" + code + "' is not supported (Flat or SQ<b>)");
        }
        int comma = core.indexOf(',');
        if (comma > 0 && (m = IVF.matcher(core.substring(0, comma))).matches()) {
            number(factory, m.group(1), 1, MAX_NLIST, "IVF list count");
            if (m.group(2) != null && !m.group(2).isEmpty()) {
                number(factory, m.group(2), 2, MAX_HNSW_M, "HNSW M");
            }
            String code = core.substring(comma + 1);
            if (code.equals("Flat") || encoding(factory, code, d)) {
                return;
            }
            throw bad(factory, "IVF encoding '" + code + "' is not supported (Flat, SQ<b> or PQ<m>)");
        }
        throw bad(factory, "'" + core + "' is not a supported index");
    }

    /** SQ / PQ encodings; false if {@code code} is neither. */
    private static boolean encoding(String factory, String code, int d) {
        if (SQ.matcher(code).matches()) {
            return true;
        }
        Matcher m = PQ.matcher(code);
        if (m.matches()) {
            int sub = number(factory, m.group(1), 1, d, "PQ sub-quantizer count");
            if (d % sub != 0) {
                throw bad(factory, "PQ" + sub + " needs a dimension divisible by " + sub + ", got " + d);
            }
            if (m.group(2) != null) {
                number(factory, m.group(2), 1, MAX_PQ_BITS, "PQ bits");
            }
            return true;
        }
        return false;
    }

    private static int number(String factory, String digits, int max) {
        return number(factory, digits, 1, max, "number");
    }

    private static int number(String factory, String digits, int min, int max, String what) {
        long v;
        try {
            v = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw bad(factory, what + " '" + digits + "' is not a number");
        }
        if (v < min || v > max) {
            throw bad(factory, what + " must be in " + min + ".." + max + ", got " + digits);
        }
        return (int) v;
    }

    private static IllegalArgumentException bad(String factory, String why) {
        return new IllegalArgumentException(
                "unsupported index factory string '" + factory + "': " + why + "; supported: " + SUPPORTED);
    }
}
