package com.listinglens.indexer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/** Float rows are written in chunks: a pool's re-ranking rows run to billions of bytes, past one buffer's reach. */
class WriteFloatsTest {

    @Test
    void writesMoreThanOneChunkLittleEndianFromAnOffset() throws Exception {
        int n = (1 << 20) * 2 + 12_345;
        float[] v = new float[n + 7];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 3;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EmbeddingSet.writeFloats(out, v, 7, n);
        byte[] bytes = out.toByteArray();
        assertThat(bytes).hasSize(n * 4);
        ByteBuffer read = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            assertThat(read.getFloat()).isEqualTo(v[7 + i]);
        }
    }

    @Test
    void writesNothingForNoRows() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EmbeddingSet.writeFloats(out, new float[3], 0, 0);
        assertThat(out.size()).isZero();
    }
}
