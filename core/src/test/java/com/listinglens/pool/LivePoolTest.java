package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import com.listinglens.support.PoolWriter;
import com.listinglens.vector.SearchParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Filtered search, widening and live changes on real pools (real FAISS), checked against brute force. */
class LivePoolTest {

    static final int N = 2000;
    static final int D = 32;
    static final String[] TOPS = {"Fruit", "Vegetables", "Packages"};

    @TempDir
    static Path tmp;
    static float[] vectors;
    static List<Listing> listings;
    static Pool flat;
    static Pool ivf;

    @BeforeAll
    static void pools() {
        vectors = PoolWriter.unitVectors(N, D, 7);
        listings = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            // 1 % of the listings are under Packages/Rare; brands every 3rd; prices on even rows only
            List<String> category = i % 100 == 0 ? List.of("Packages", "Rare", "R" + i)
                    : List.of(TOPS[i % 3], "Sub" + (i % 7), "Leaf" + (i % 11));
            listings.add(new Listing("L" + i, "img/" + i + ".jpg", "title " + i, category, i % 3 == 0 ? "Arla" : null,
                    null, i % 2 == 0 ? (double) (i % 50) : null, null));
        }
        flat = PoolWriter.open(PoolWriter.write(tmp.resolve("flat"), "flat-1", listings, vectors, D, "IDMap,Flat"));
        ivf = PoolWriter.open(PoolWriter.write(tmp.resolve("ivf"), "ivf-1", listings, vectors, D, "IVF32,Flat"));
    }

    @AfterAll
    static void close() {
        flat.discard();
        ivf.discard();
    }

    static float[] row(int i) {
        return Arrays.copyOfRange(vectors, i * D, (i + 1) * D);
    }

    /** Ids of the k most similar listings that pass the filter and are not removed, by brute force. */
    static List<String> bruteForce(float[] q, ListingFilter filter, int k, Set<String> removed) {
        return IntStream.range(0, N).filter(i -> filter.matches(listings.get(i)) && !removed.contains("L" + i)).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -dot(q, row(i))))
                .limit(k).map(i -> "L" + i).toList();
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static List<String> ids(Pool.Found f) {
        return f.rows().get(0).stream().map(n -> n.listing().id()).toList();
    }

    @Test
    void filtersReturnExactlyTheBestListingsThatPassThem() {
        List<ListingFilter> filters = List.of(
                new ListingFilter(List.of("fruit"), Set.of(), null, null, Set.of()),
                new ListingFilter(List.of("Vegetables", "Sub3"), Set.of(), null, null, Set.of()),
                new ListingFilter(List.of(), Set.of("arla"), null, null, Set.of()),
                new ListingFilter(List.of(), Set.of(), 10.0, 20.0, Set.of()),
                new ListingFilter(List.of("Packages"), Set.of("Arla"), 0.0, 30.0, Set.of("L6", "L12")));
        for (ListingFilter f : filters) {
            for (int q : new int[]{3, 500, 1999}) {
                Pool.Found found = flat.search(new float[][]{row(q)}, 10, SearchParams.DEFAULT, f);
                assertThat(ids(found)).as(f.toString()).isEqualTo(bruteForce(row(q), f, 10, Set.of()));
                assertThat(found.matching()).isEqualTo(listings.stream().filter(f::matches).count());
                found.rows().get(0).forEach(n -> assertThat(f.matches(n.listing())).isTrue());
            }
        }
    }

    @Test
    void aFilterKeepingOnePercentStillReturnsKResultsFromAnApproximateIndex() {
        ListingFilter rare = new ListingFilter(List.of("Packages", "Rare"), Set.of(), null, null, Set.of());
        // nprobe 1 visits one of 32 lists: about 0.6 of the 20 rare listings, far fewer than 10
        Pool.Found found = ivf.search(new float[][]{row(5)}, 10, SearchParams.ofNprobe(1), rare);
        assertThat(found.matching()).isEqualTo(20);
        assertThat(found.widened()).isTrue();
        assertThat(ids(found)).isEqualTo(bruteForce(row(5), rare, 10, Set.of()));
        // unfiltered, nothing widens
        assertThat(ivf.search(new float[][]{row(5)}, 10, SearchParams.ofNprobe(1), ListingFilter.NONE).widened()).isFalse();
    }

    @Test
    void fewerMatchesThanKAreAllReturnedAndCounted() {
        ListingFilter f = new ListingFilter(List.of("Packages", "Rare", "R300"), Set.of(), null, null, Set.of());
        Pool.Found found = ivf.search(new float[][]{row(9)}, 10, SearchParams.ofNprobe(1), f);
        assertThat(found.matching()).isEqualTo(1);
        assertThat(ids(found)).containsExactly("L300");
        ListingFilter none = new ListingFilter(List.of("Nothing"), Set.of(), null, null, Set.of());
        Pool.Found empty = flat.search(new float[][]{row(9)}, 10, SearchParams.DEFAULT, none);
        assertThat(empty.matching()).isZero();
        assertThat(empty.rows().get(0)).isEmpty();
    }

    @Test
    void removedListingsNeverComeBackAndAddedOnesAreFoundAtOnce() {
        Pool pool = PoolWriter.open(PoolWriter.write(tmp.resolve("live"), "live-1", listings, vectors, D, "IDMap,Flat"));
        try {
            Overlay o = pool.overlay();
            assertThat(o.through()).isEqualTo(ChangeId.ZERO);
            // L42 is its own best match; remove it
            assertThat(ids(pool.search(new float[][]{row(42)}, 5, SearchParams.DEFAULT, ListingFilter.NONE)).get(0)).isEqualTo("L42");
            o.apply(List.of(new Overlay.Remove(new ChangeId(10, 0), "L42")), null);
            for (ListingFilter f : List.of(ListingFilter.NONE, new ListingFilter(List.of(TOPS[0]), Set.of(), null, null, Set.of()))) {
                Pool.Found found = pool.search(new float[][]{row(42)}, 50, SearchParams.DEFAULT, f);
                assertThat(ids(found)).doesNotContain("L42").isEqualTo(bruteForce(row(42), f, 50, Set.of("L42")));
            }
            assertThat(o.contains("L42")).isFalse();
            assertThat(o.contains("L43")).isTrue();

            // a new listing is the top hit for its own vector; it passes filters like any other
            float[] fresh = PoolWriter.unitVectors(1, D, 99);
            Listing added = new Listing("NEW-1", "new.jpg", "new", List.of("Packages", "Rare", "New"), null, null, 5.0, null);
            o.apply(List.of(new Overlay.Add(new ChangeId(11, 0), added, fresh)), null);
            assertThat(ids(pool.search(new float[][]{fresh}, 3, SearchParams.DEFAULT, ListingFilter.NONE)).get(0)).isEqualTo("NEW-1");
            Pool.Found rare = pool.search(new float[][]{fresh}, 30, SearchParams.DEFAULT,
                    new ListingFilter(List.of("Packages", "Rare"), Set.of(), null, null, Set.of()));
            assertThat(rare.matching()).isEqualTo(21);
            assertThat(ids(rare)).hasSize(21).first().isEqualTo("NEW-1");
            assertThat(pool.search(new float[][]{fresh}, 3, SearchParams.DEFAULT,
                    new ListingFilter(List.of(), Set.of(), null, null, Set.of("NEW-1"))).rows().get(0))
                    .noneMatch(n -> n.listing().id().equals("NEW-1"));

            // re-adding a pool listing's id replaces it: its old vector no longer finds it
            o.apply(List.of(new Overlay.Add(new ChangeId(12, 0), listings.get(7), fresh)), null);
            List<String> near7 = ids(pool.search(new float[][]{row(7)}, 20, SearchParams.DEFAULT, ListingFilter.NONE));
            assertThat(near7).doesNotContain("L7");
            assertThat(ids(pool.search(new float[][]{fresh}, 2, SearchParams.DEFAULT, ListingFilter.NONE)))
                    .containsExactlyInAnyOrder("NEW-1", "L7");

            // removing an added listing
            o.apply(List.of(new Overlay.Remove(new ChangeId(13, 0), "NEW-1")), null);
            assertThat(ids(pool.search(new float[][]{fresh}, 5, SearchParams.DEFAULT, ListingFilter.NONE))).doesNotContain("NEW-1");
            assertThat(o.snapshot().aliveCount()).isEqualTo(1);
            assertThat(o.snapshot().removedCount()).isEqualTo(2);

            // replays are idempotent: changes at or before 'through' are skipped
            o.apply(List.of(new Overlay.Add(new ChangeId(11, 0), added, fresh)), new ChangeId(13, 5));
            assertThat(o.contains("NEW-1")).isFalse();
            assertThat(o.through()).isEqualTo(new ChangeId(13, 5));

            // cache validation: additions since invalidate everything, removals only answers that hold the listing
            assertThat(o.changedSince(new ChangeId(13, 5), List.of("L1"))).isFalse();
            assertThat(o.changedSince(new ChangeId(12, 5), List.of("L1"))).isFalse();
            assertThat(o.changedSince(new ChangeId(12, 5), List.of("NEW-1"))).isTrue();
            assertThat(o.changedSince(new ChangeId(11, 5), List.of("L1"))).isTrue();
            assertThat(o.changedSince(null, List.of())).isTrue();
        } finally {
            pool.discard();
        }
    }

    @Test
    void badAdditionsAreRefusedWholeAndChangeNothing() {
        Pool pool = PoolWriter.open(PoolWriter.write(tmp.resolve("bad"), "bad-1", listings, vectors, D, "IDMap,Flat"));
        try {
            Listing a = new Listing("A", "a.jpg", null, null, null, null, null, null);
            float[] nan = new float[D];
            nan[0] = Float.NaN;
            assertThatThrownBy(() -> pool.overlay().apply(List.of(new Overlay.Remove(new ChangeId(1, 0), "L1"),
                    new Overlay.Add(new ChangeId(2, 0), a, new float[D - 1])), null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pool.overlay().apply(List.of(new Overlay.Add(new ChangeId(2, 0), a, nan)), null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(pool.overlay().contains("L1")).isTrue();
            assertThat(pool.overlay().through()).isEqualTo(ChangeId.ZERO);
        } finally {
            pool.discard();
        }
    }

    @Test
    void mergeKeepsTheBestOfBothListsInOrder() {
        Listing x = listings.get(0);
        Listing y = listings.get(1);
        Listing z = listings.get(2);
        List<Neighbour> m = Pool.merge(List.of(new Neighbour(x, 0.9f), new Neighbour(y, 0.5f)), List.of(new Neighbour(z, 0.7f)), 2);
        assertThat(m).extracting(n -> n.listing().id()).containsExactly("L0", "L2");
    }
}
