package com.listinglens.indexer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexPolicyTest {

    final IndexPolicy policy = new IndexPolicy(1_000_000, 6000, 1024, 65536, 2, 16, 40, 400_000, 4);

    @Test
    void smallPoolsGetExactSearch() {
        IndexPolicy.Choice c = policy.choose(3017, 80);
        assertThat(c.factory()).isEqualTo("IDMap,Flat");
        assertThat(c.nprobe()).isZero();
        assertThat(c.reason()).contains("3017 listings < 1000000");
    }

    @Test
    void largePoolsGetAnInvertedFileOfProductCodesSizedByTheirCount() {
        IndexPolicy.Choice c = policy.choose(50_000_000, 80);
        assertThat(c.factory()).isEqualTo("IVF8192,PQ40np");
        assertThat(c.nprobe()).isEqualTo(16);
        assertThat(c.trainRows()).isEqualTo(327_680);
        assertThat(c.reason()).contains("8192 lists").contains("PQ40").contains("nprobe 16");
        assertThat(policy.choose(10_000_000, 80).factory()).isEqualTo("IVF2048,PQ40np");
        // the list count stays within its bounds
        assertThat(policy.choose(1_000_000, 80).factory()).isEqualTo("IVF1024,PQ40np");
        assertThat(policy.choose(2_000_000_000L, 80).factory()).startsWith("IVF65536,");
        // training rows are capped
        assertThat(policy.choose(2_000_000_000L, 80).trainRows()).isEqualTo(400_000);
    }

    @Test
    void productCodesDivideTheDimension() {
        assertThat(policy.codes(80)).isEqualTo(40);
        assertThat(policy.codes(42)).isEqualTo(21);
        assertThat(policy.codes(7)).isEqualTo(1);
        assertThat(policy.codes(1)).isEqualTo(1);
        assertThat(policy.codes(1280)).isEqualTo(640);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new IndexPolicy(0, 6000, 1024, 65536, 2, 16, 40, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IndexPolicy(1, 6000, 1000, 65536, 2, 16, 40, 1, 0)).hasMessageContaining("powers of two");
        assertThatThrownBy(() -> new IndexPolicy(1, 6000, 4096, 1024, 2, 16, 40, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> policy.choose(0, 80)).isInstanceOf(IllegalArgumentException.class);
    }
}
