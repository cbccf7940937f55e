package com.listinglens.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogReaderTest {

    @Test
    void parsesAFullLineAndKeepsUnknownFields() {
        Listing l = CatalogReader.parse("""
                {"id": "train-01390", "image": "train/Packages/Milk/a.jpg", "title": "Skimmed milk 1.5%",
                 "category": ["Packages", "Milk", "Arla-Ecological-Medium-Fat-Milk"], "brand": "Arla",
                 "weight_grams": 1000, "price": 12.5, "country": "Sweden"}""".replace("\n", " "));
        assertThat(l.id()).isEqualTo("train-01390");
        assertThat(l.image()).isEqualTo("train/Packages/Milk/a.jpg");
        assertThat(l.title()).isEqualTo("Skimmed milk 1.5%");
        assertThat(l.category()).containsExactly("Packages", "Milk", "Arla-Ecological-Medium-Fat-Milk");
        assertThat(l.brand()).isEqualTo("Arla");
        assertThat(l.weightGrams()).isEqualTo(1000.0);
        assertThat(l.price()).isEqualTo(12.5);
        assertThat(l.extra()).containsEntry("country", "Sweden");
    }

    @Test
    void everyFieldButIdAndImageMayBeMissingOrNull() {
        Listing l = CatalogReader.parse("{\"id\": \"x\", \"image\": \"x.jpg\", \"brand\": null, \"price\": null}");
        assertThat(l.title()).isNull();
        assertThat(l.category()).isEmpty();
        assertThat(l.brand()).isNull();
        assertThat(l.weightGrams()).isNull();
        assertThat(l.price()).isNull();
        assertThat(l.extra()).isEmpty();
    }

    @Test
    void categoryMayBeAPathString() {
        Listing l = CatalogReader.parse("{\"id\": \"x\", \"image\": \"x.jpg\", \"category\": \"Fruit > Apple\"}");
        assertThat(l.category()).containsExactly("Fruit", "Apple");
    }

    @Test
    void roundTripsThroughListingJson() {
        Listing l = CatalogReader.parse("{\"id\": \"a\", \"image\": \"a.jpg\", \"title\": \"T\", \"category\": [\"A\", \"B\"],"
                + " \"brand\": \"Br\", \"weight_grams\": 250, \"price\": 3, \"country\": \"SE\", \"tags\": [\"x\"]}");
        assertThat(CatalogReader.parse(ListingJson.toLine(l))).isEqualTo(l);
    }

    @Test
    void rejectsBadLinesWithReasons() {
        assertThatThrownBy(() -> CatalogReader.parse("not json")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> CatalogReader.parse("[1,2]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> CatalogReader.parse("{\"image\": \"a.jpg\"}")).hasMessageContaining("'id'");
        assertThatThrownBy(() -> CatalogReader.parse("{\"id\": \"a\"}")).hasMessageContaining("'image'");
        assertThatThrownBy(() -> CatalogReader.parse("{\"id\": \" \", \"image\": \"a.jpg\"}")).hasMessageContaining("empty");
        assertThatThrownBy(() -> CatalogReader.parse("{\"id\": \"a\", \"image\": \"a.jpg\", \"price\": \"cheap\"}"))
                .hasMessageContaining("'price' must be a number");
        assertThatThrownBy(() -> CatalogReader.parse("{\"id\": \"a\", \"image\": \"a.jpg\", \"weight_grams\": -5}"))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> CatalogReader.parse("{\"id\": \"a\", \"image\": \"a.jpg\", \"category\": [\"A\", 3]}"))
                .hasMessageContaining("category");
        assertThatThrownBy(() -> CatalogReader.parse("{\"id\": \"a\", \"image\": \"a.jpg\", \"title\": {\"x\": 1}}"))
                .hasMessageContaining("'title'");
    }

    @Test
    void readReportsBadLinesWithLineNumbersAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.jsonl");
        Files.writeString(file, String.join("\n", List.of(
                "{\"id\": \"a\", \"image\": \"a.jpg\"}",
                "{broken",
                "",
                "{\"id\": \"b\", \"image\": \"b.jpg\"}",
                "{\"id\": \"a\", \"image\": \"c.jpg\"}",
                "{\"id\": \"c\"}")) + "\n");
        CatalogReader.Catalog c = CatalogReader.read(file);
        assertThat(c.listings()).extracting(Listing::id).containsExactly("a", "b");
        assertThat(c.lineNumbers()).containsExactly(1L, 4L);
        assertThat(c.lines()).isEqualTo(6);
        assertThat(c.errors()).extracting(CatalogReader.CatalogError::line).containsExactly(2L, 5L, 6L);
        assertThat(c.errors().get(1).reason()).contains("duplicate id 'a'");
        assertThat(c.errors().get(0).toString()).startsWith(file + ":2: ");
    }

    @Test
    void spreadPhotosTakesListingsEvenlyOverTheCatalogResolvedAgainstItsFolder(@TempDir Path dir) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            lines.append("{\"id\": \"l").append(i).append("\", \"image\": \"p/").append(i).append(".jpg\"}\n");
        }
        Path file = Files.writeString(dir.resolve("c.jsonl"), lines);
        CatalogReader.Catalog c = CatalogReader.read(file);
        assertThat(c.spreadPhotos(5)).containsExactly(dir.resolve("p/0.jpg"), dir.resolve("p/2.jpg"), dir.resolve("p/4.jpg"),
                dir.resolve("p/6.jpg"), dir.resolve("p/8.jpg"));
        assertThat(c.spreadPhotos(3)).containsExactly(dir.resolve("p/0.jpg"), dir.resolve("p/3.jpg"), dir.resolve("p/6.jpg"));
        assertThat(c.spreadPhotos(50)).hasSize(10).doesNotHaveDuplicates();
        assertThat(c.spreadPhotos(0)).isEmpty();
        assertThatThrownBy(() -> c.spreadPhotos(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
