package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListingStoreTest {

    @TempDir
    Path dir;

    static List<Listing> listings(int n) {
        List<Listing> out = new ArrayList<>();
        String[] brands = {null, "Arla", "arla ", "Ölands Mejeri", "Zoégas"};
        for (int i = 0; i < n; i++) {
            List<String> category = i % 7 == 0 ? List.of() : List.of("Food", i % 2 == 0 ? "Dairy" : "Fruit", "Leaf " + (i % 5));
            Map<String, Object> extra = i % 3 == 0 ? Map.of("country", "SE", "rank", i) : Map.of();
            out.add(new Listing("id-" + i + (i % 11 == 0 ? "-ünïcødé" : ""), "img/" + i + ".jpg", i % 4 == 0 ? null : "Title " + i + " 🍎",
                    category, brands[i % brands.length], i % 6 == 0 ? null : 100.0 + i, i % 5 == 0 ? null : 0.5 * i, extra));
        }
        return out;
    }

    @Test
    void everyListingComesBackAsWrittenAndEveryIdFindsItsRow() {
        List<Listing> in = listings(5_000);
        Path file = dir.resolve("listings.bin");
        ListingStoreWriter.write(file, in);
        try (ListingStore store = ListingStore.open(file)) {
            assertThat(store.rows()).isEqualTo(in.size());
            for (int r = 0; r < in.size(); r++) {
                Listing l = in.get(r);
                assertThat(store.listing(r)).as("row " + r).isEqualTo(l);
                assertThat(store.row(l.id())).isEqualTo(r);
                assertThat(store.categories().get(store.categoryCode(r))).isEqualTo(l.category());
                double price = store.price(r);
                assertThat(l.price() == null ? Double.isNaN(price) : price == l.price()).isTrue();
            }
            assertThat(store.row("id-5000")).isEqualTo(-1);
            assertThat(store.row("")).isEqualTo(-1);
            assertThat(store.row("id-11")).isEqualTo(-1);
            // dictionaries hold each path and brand once, code 0 being "none"
            assertThat(store.categories()).hasSize(1 + 2 * 5).first().isEqualTo(List.of());
            assertThat(store.brands()).containsExactly("", "Arla", "arla ", "Ölands Mejeri", "Zoégas");
            assertThatThrownBy(() -> store.listing(in.size())).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> store.listing(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void anEmptyStoreIsValid() {
        Path file = dir.resolve("empty.bin");
        ListingStoreWriter.write(file, List.of());
        try (ListingStore store = ListingStore.open(file)) {
            assertThat(store.rows()).isZero();
            assertThat(store.row("anything")).isEqualTo(-1);
        }
    }

    @Test
    void aDuplicateIdFailsTheStoreAndLeavesNothing() throws Exception {
        List<Listing> in = new ArrayList<>(listings(100));
        in.add(in.get(42));
        Path file = dir.resolve("dup.bin");
        assertThatThrownBy(() -> ListingStoreWriter.write(file, in)).isInstanceOf(PoolException.class)
                .hasMessageContaining("duplicate listing id 'id-42'").hasMessageContaining("42 and 100");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anUnfinishedWriterLeavesNoStore() throws Exception {
        Path file = dir.resolve("half.bin");
        try (ListingStoreWriter w = ListingStoreWriter.create(file)) {
            listings(10).forEach(w::add);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void damagedFilesAreRefusedWithAReason() throws Exception {
        Path file = dir.resolve("listings.bin");
        ListingStoreWriter.write(file, listings(50));
        byte[] good = Files.readAllBytes(file);

        Files.write(file, "not a store at all".getBytes());
        assertThatThrownBy(() -> ListingStore.open(file)).isInstanceOf(PoolException.class).hasMessageContaining("not a Listing Lens");

        byte[] version = good.clone();
        version[8] = 9;
        Files.write(file, version);
        assertThatThrownBy(() -> ListingStore.open(file)).isInstanceOf(PoolException.class).hasMessageContaining("format version 9");

        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 10);
        Files.write(file, truncated);
        assertThatThrownBy(() -> ListingStore.open(file)).isInstanceOf(PoolException.class).hasMessageContaining("outside the file");

        byte[] rows = good.clone();
        ByteBuffer.wrap(rows).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 51);
        Files.write(file, rows);
        assertThatThrownBy(() -> ListingStore.open(file)).isInstanceOf(PoolException.class).hasMessageContaining("row table");

        // a row whose heap offset points past the heap: an exception on reading it, never a crash
        byte[] offset = good.clone();
        ByteBuffer b = ByteBuffer.wrap(offset).order(ByteOrder.LITTLE_ENDIAN);
        long rowsAt = b.getLong(40);
        b.putLong((int) rowsAt + 3 * ListingStore.ROW_BYTES, Long.MAX_VALUE / 2);
        b.putInt((int) rowsAt + 4 * ListingStore.ROW_BYTES + 8, 1_000_000);
        Files.write(file, offset);
        try (ListingStore store = ListingStore.open(file)) {
            assertThatThrownBy(() -> store.listing(3)).isInstanceOf(RuntimeException.class);
            assertThatThrownBy(() -> store.listing(4)).isInstanceOf(PoolException.class).hasMessageContaining("out of its dictionaries");
            assertThat(store.listing(5)).isEqualTo(listings(50).get(5));
        }
    }

    @Test
    void theIdTableIsAPowerOfTwoAtMostThreeQuartersFull() {
        for (long n : new long[]{0, 1, 2, 3, 1000, 50_000_000L}) {
            long slots = ListingStoreWriter.slotCount(n);
            assertThat(Long.bitCount(slots)).isEqualTo(1);
            assertThat(slots).isGreaterThan(n);
            assertThat(n).isLessThanOrEqualTo(slots * 3 / 4 + 1);
        }
    }
}
