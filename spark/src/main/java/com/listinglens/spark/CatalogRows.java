package com.listinglens.spark;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.config.Settings;
import com.listinglens.indexer.PhotoEmbedding;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * The catalogs as rows and the rows embedded: what runs on the executors. A catalog line is parsed and validated by
 * the core's {@link CatalogReader#parse} (the single-machine builder's rule for every field), its photo embedded by
 * the core's {@link PhotoEmbedding} (decode threads, views, batches), so a photo becomes the same vector on a laptop
 * and on a cluster.
 */
final class CatalogRows {

    /** Rows of the catalogs: {@code order} (catalog index in the top 24 bits, line number below), catalog, line, text. */
    static final StructType LINES = new StructType()
            .add("order", DataTypes.LongType, false)
            .add("catalog", DataTypes.IntegerType, false)
            .add("line", DataTypes.LongType, false)
            .add("json", DataTypes.StringType, false);

    /**
     * What embedding made of each line: {@code status} ok (id, listing JSON, embedding, model tag), rejected (the
     * line failed validation) or unusable (its photo could not be read or decoded); {@code message} why not.
     */
    static final StructType EMBEDDED = new StructType()
            .add("order", DataTypes.LongType, false)
            .add("catalog", DataTypes.IntegerType, false)
            .add("line", DataTypes.LongType, false)
            .add("status", DataTypes.StringType, false)
            .add("id", DataTypes.StringType, true)
            .add("listing", DataTypes.StringType, true)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("model", DataTypes.StringType, true)
            .add("message", DataTypes.StringType, true);

    static final String OK = "ok";
    static final String REJECTED = "rejected";
    static final String UNUSABLE = "unusable";
    static final String DUPLICATE = "duplicate";
    /** The model tag of precomputed embeddings (the job did not embed them). */
    static final String PRECOMPUTED = "precomputed";

    /** Line numbers are 1-based within a catalog and kept below 2^40; catalogs are numbered from 0. */
    static final int LINE_BITS = 40;

    private CatalogRows() {}

    /**
     * The lines of {@code catalog} (a JSONL file, or a Parquet file or folder of listing columns, each row taken as
     * the JSON object of its columns), numbered in file order, blank lines dropped as the single-machine reader does.
     */
    static Dataset<Row> read(SparkSession spark, int index, String catalog) {
        boolean parquet = catalog.endsWith(".parquet") || catalog.endsWith(".parquet/");
        JavaRDD<String> text = parquet ? spark.read().parquet(catalog).toJSON().javaRDD()
                : spark.read().text(catalog).javaRDD().map(r -> r.getString(0));
        JavaRDD<Row> rows = text.zipWithIndex()
                .filter(t -> !t._1().isBlank())
                .map(t -> {
                    long line = t._2() + 1;
                    if (line >= (1L << LINE_BITS)) {
                        throw new IllegalArgumentException("catalog " + catalog + " has more than 2^" + LINE_BITS + " lines");
                    }
                    return RowFactory.create(((long) index << LINE_BITS) | line, index, line, t._1());
                });
        return spark.createDataFrame(rows, LINES);
    }

    /**
     * Precomputed embeddings (a Parquet table with a {@code listing} column of listing JSON and an {@code embedding}
     * column of float arrays, such as a run's own {@code <work>/embeddings}, whose rows other than ok are skipped) as
     * lines with their vectors, numbered by {@code order} when the table has one, else in file order.
     */
    static Dataset<Row> readEmbeddings(SparkSession spark, String path) {
        Dataset<Row> table = spark.read().parquet(path);
        List<String> columns = List.of(table.columns());
        if (!columns.contains("listing") || !columns.contains("embedding")) {
            throw new IllegalArgumentException("embeddings " + path + " need columns listing and embedding, they have " + columns);
        }
        if (columns.contains("status")) {
            table = table.filter(col("status").equalTo(OK));
        }
        if (columns.contains("order")) {
            table = table.orderBy("order");
        }
        JavaRDD<Row> rows = table.select("listing", "embedding").javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._2() + 1, 0, t._2() + 1, t._1().getString(0), t._1().get(1)));
        return spark.createDataFrame(rows, LINES.add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    /** What the executors need to know of a build: per catalog, the folder its photos are relative to; the precision. */
    record Job(List<String> imageRoots, String precision, int batchSize, int decodeThreads, String failOnce)
            implements Serializable {
    }

    private record Item(Row line, Listing listing, Path photo) {}

    /**
     * Parses a partition of {@link #LINES} into rows of {@link #EMBEDDED}: ok (id and the listing as canonical JSON) or
     * rejected (why). Rows with a fifth field (precomputed embeddings: the listing's vector) keep it, tagged
     * {@code precomputed}.
     */
    static Iterator<Row> parse(Iterator<Row> lines) {
        List<Row> out = new ArrayList<>();
        while (lines.hasNext()) {
            Row r = lines.next();
            float[] embedding = r.size() > 4 && !r.isNullAt(4) ? floats(r, 4) : null;
            try {
                Listing listing = CatalogReader.parse(r.getString(3));
                out.add(row(r, OK, listing.id(), ListingJson.toLine(listing), embedding, embedding == null ? null : PRECOMPUTED, null));
            } catch (IllegalArgumentException e) {
                out.add(row(r, REJECTED, null, null, null, null, e.getMessage()));
            }
        }
        return out.iterator();
    }

    /**
     * Splits parsed rows into those the pool keeps (ok, and the first line of their id in catalog order, as the
     * single-machine builder keeps) and those it leaves out (rejected; later lines of an id become duplicate).
     */
    static Dataset<Row>[] keepFirstOfEachId(Dataset<Row> parsed) {
        // ranked on the narrow (id, order) columns only, so that the shuffle carries no listing and no embedding; the
        // later lines of an id (their order numbers: 8 bytes each) are broadcast, so the big side is never shuffled
        Dataset<Row> later = parsed.filter(col("status").equalTo(OK)).select("id", "order")
                .withColumn("rank", row_number().over(Window.partitionBy("id").orderBy("order")))
                .filter(col("rank").gt(1)).select(col("order").as("later_order"));
        Dataset<Row> kept = parsed.filter(col("status").equalTo(OK)).join(broadcast(later), col("order").equalTo(col("later_order")),
                "left_anti");
        Dataset<Row> duplicates = parsed.join(broadcast(later), col("order").equalTo(col("later_order")), "left_semi")
                .withColumn("status", lit(DUPLICATE))
                .withColumn("message", concat(lit("duplicate id '"), col("id"), lit("' (an earlier line has it)")))
                .withColumn("listing", lit(null).cast(DataTypes.StringType))
                .withColumn("embedding", lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType, false)));
        Dataset<Row> left = parsed.filter(col("status").notEqual(OK)).unionByName(duplicates);
        @SuppressWarnings("unchecked")
        Dataset<Row>[] split = new Dataset[]{kept, left};
        return split;
    }

    /**
     * Embeds a partition of parsed rows (status ok) through the executor's model, in batches: ok with the embedding
     * and the model's tag, or unusable (why). {@code failOnce} ("embed:P"): the first attempt of partition P fails
     * after embedding (a fault drill: a retried task must not leave its first attempt's rows in the pool).
     */
    static Iterator<Row> embed(Iterator<Row> parsed, Job job, int partition, int attempt) throws IOException {
        var embedder = ExecutorModel.embedder(job.precision());
        String tag = ExecutorModel.identity(job.precision()).tag();
        var config = ExecutorModel.config();
        List<Row> out = new ArrayList<>();
        List<Item> items = new ArrayList<>();
        while (parsed.hasNext()) {
            Row r = parsed.next();
            Listing listing = CatalogReader.parse(r.getString(5));
            Path root = Path.of(job.imageRoots().get(r.getInt(1)));
            items.add(new Item(r, listing, root.resolve(listing.image())));
        }
        try (PhotoEmbedding photos = new PhotoEmbedding(Settings.decoder(config.image()),
                Settings.scales(config, ExecutorModel.identity(job.precision()).model()), embedder,
                job.batchSize(), job.decodeThreads())) {
            photos.embed(items, Item::photo, new PhotoEmbedding.Sink<>() {
                @Override
                public void embedded(Item item, float[] embedding) {
                    out.add(row(item.line(), OK, item.listing().id(), item.line().getString(5), embedding, tag, null));
                }

                @Override
                public void unusable(Item item, Throwable cause) {
                    out.add(row(item.line(), UNUSABLE, item.listing().id(), null, null, null,
                            "photo " + item.photo() + " unusable: " + cause.getMessage()));
                }
            }, null);
        }
        if (SparkPoolJob.drill(job.failOnce(), "embed", partition) && attempt == 0) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "fault drill: the first attempt of embedding partition %d fails after embedding %d rows", partition, out.size()));
        }
        return out.iterator();
    }

    private static Row row(Row line, String status, String id, String listing, float[] embedding, String model, String message) {
        Float[] boxed = null;
        if (embedding != null) {
            boxed = new Float[embedding.length];
            for (int i = 0; i < boxed.length; i++) {
                boxed[i] = embedding[i];
            }
        }
        return RowFactory.create(line.getLong(0), line.getInt(1), line.getLong(2), status, id, listing, boxed, model, message);
    }

    /** The components of an {@code array<float>} column. */
    static float[] floats(Row row, int field) {
        List<Object> values = row.getList(field);
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((Number) values.get(i)).floatValue();
        }
        return v;
    }
}
