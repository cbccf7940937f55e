package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Indexes closed by their owner are not counted as reclaimed leaks, however many collections run. */
class FaissIndexReclaimCountTest {

    @Test
    void closedIndexesAreNotCountedAsLeaks() throws Exception {
        // strongly reachable until closed, so only closing can free them
        List<FaissIndex> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(FaissIndex.create("IDMap,Flat", 8, Metric.L2));
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
        }
        long before = FaissIndex.reclaimedUnclosed();
        held.forEach(FaissIndex::close);
        long afterClose = FaissIndex.reclaimedUnclosed();
        assertThat(afterClose).as("closing frees without counting a leak").isEqualTo(before);
        assertThat(held).allMatch(FaissIndex::isClosed);
    }
}
