package com.listinglens.live;

import com.listinglens.catalog.Listing;
import com.listinglens.pool.ChangeId;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeCodecTest {

    static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void changeIdsParseAndCompareInLogOrder() {
        assertThat(ChangeId.parse("1700000000000-3")).isEqualTo(new ChangeId(1700000000000L, 3));
        assertThat(ChangeId.parse("5")).isEqualTo(new ChangeId(5, 0));
        assertThat(new ChangeId(2, 0).isAfter(new ChangeId(1, 9))).isTrue();
        assertThat(new ChangeId(2, 1).isAfter(new ChangeId(2, 1))).isFalse();
        assertThat(ChangeId.parse("12-34").toString()).isEqualTo("12-34");
        assertThat(ChangeId.parseOrNull(" ")).isNull();
        for (String bad : new String[]{"", "a-1", "1-", "-1-2", "1-2-3", "99999999999999999999999"}) {
            assertThatThrownBy(() -> ChangeId.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void additionsAndRemovalsRoundTrip() {
        Listing l = new Listing("n1", "new/n1.jpg", "Oat milk", List.of("Packages", "Oat-Milk"), "Oatly", 1000.0, 2.5,
                Map.of("country", "Sweden"));
        float[] v = {0.6f, -0.8f, 0f, 1e-7f};
        Change add = Change.add(l, v, "space-1", AT);
        Change back = ChangeCodec.decode(new ChangeId(7, 1), ChangeCodec.encode(add));
        assertThat(back.id()).isEqualTo(new ChangeId(7, 1));
        assertThat(back.op()).isEqualTo(Change.Op.ADD);
        assertThat(back.listing()).isEqualTo(l);
        assertThat(back.embedding()).containsExactly(v);
        assertThat(back.space()).isEqualTo("space-1");
        assertThat(back.at()).isEqualTo(AT);

        Change rm = ChangeCodec.decode(new ChangeId(8, 0), ChangeCodec.encode(Change.remove(" n1 ", AT)));
        assertThat(rm.op()).isEqualTo(Change.Op.REMOVE);
        assertThat(rm.listingId()).isEqualTo("n1");
        assertThat(rm.toEdit()).isInstanceOf(com.listinglens.pool.Overlay.Remove.class);
    }

    @Test
    void malformedEntriesAreNamedNotMisread() {
        Map<String, String> ok = ChangeCodec.encode(Change.add(new Listing("a", "a.jpg", null, null, null, null, null, null),
                new float[]{1f}, "s", AT));
        ChangeId id = new ChangeId(1, 0);
        Map<String, String> future = new HashMap<>(ok);
        future.put("v", "2");
        assertThatThrownBy(() -> ChangeCodec.decode(id, future)).hasMessageContaining("format");
        Map<String, String> noVector = new HashMap<>(ok);
        noVector.remove("embedding");
        assertThatThrownBy(() -> ChangeCodec.decode(id, noVector)).hasMessageContaining("embedding");
        Map<String, String> odd = new HashMap<>(ok);
        odd.put("embedding", Base64.getEncoder().encodeToString(new byte[]{1, 2, 3}));
        assertThatThrownBy(() -> ChangeCodec.decode(id, odd)).hasMessageContaining("whole number");
        Map<String, String> nan = new HashMap<>(ok);
        nan.put("embedding", ChangeCodec.encodeVector(new float[]{Float.NaN}));
        assertThatThrownBy(() -> ChangeCodec.decode(id, nan)).hasMessageContaining("non-finite");
        Map<String, String> op = new HashMap<>(ok);
        op.put("op", "update");
        assertThatThrownBy(() -> ChangeCodec.decode(id, op)).hasMessageContaining("op");
        assertThatThrownBy(() -> Change.remove(" ", AT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchesAreReadWholeOrRefusedWithEveryBadLineNamed() {
        String photo = Base64.getEncoder().encodeToString(new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2});
        String body = "{\"op\":\"add\",\"listing\":{\"id\":\"n1\",\"image\":\"n1.jpg\",\"title\":\"T\"},\"photos\":[\"" + photo + "\"]}\n"
                + "\n{\"op\":\"remove\",\"id\":\"old-1\"}\r\n";
        List<ChangeRequests.Request> requests = ChangeRequests.parse(body, 10, 3, 1000);
        assertThat(requests).hasSize(2);
        ChangeRequests.AddRequest add = (ChangeRequests.AddRequest) requests.get(0);
        assertThat(add.listing().id()).isEqualTo("n1");
        assertThat(add.photos().get(0)).hasSize(4);
        assertThat(((ChangeRequests.RemoveRequest) requests.get(1)).line()).isEqualTo(3);

        String bad = "{\"op\":\"remove\"}\nnot json\n{\"op\":\"add\",\"listing\":{\"id\":\"x\"},\"photos\":[\"" + photo + "\"]}\n"
                + "{\"op\":\"add\",\"listing\":{\"id\":\"y\",\"image\":\"y.jpg\"},\"photos\":[]}\n{\"op\":\"upsert\"}\n"
                + "{\"op\":\"remove\",\"id\":\"fine\"}";
        assertThatThrownBy(() -> ChangeRequests.parse(bad, 10, 3, 1000))
                .isInstanceOfSatisfying(ChangeRequests.InvalidBatchException.class, e -> assertThat(e.errors())
                        .hasSize(5).allMatch(s -> s.startsWith("line ")).anyMatch(s -> s.startsWith("line 2: not valid JSON")));
        assertThatThrownBy(() -> ChangeRequests.parse("\n \n", 10, 3, 1000)).hasMessageContaining("no change");
        assertThatThrownBy(() -> ChangeRequests.parse("{\"op\":\"remove\",\"id\":\"a\"}\n{\"op\":\"remove\",\"id\":\"b\"}", 1, 3, 1000))
                .hasMessageContaining("more than 1");
        String big = Base64.getEncoder().encodeToString(new byte[3000]);
        assertThatThrownBy(() -> ChangeRequests.parse("{\"op\":\"add\",\"listing\":{\"id\":\"z\",\"image\":\"z.jpg\"},\"photos\":[\""
                + big + "\"]}", 10, 3, 1000)).hasMessageContaining("larger than 1000");
    }

    @Test
    void aStreamedBatchHandsEachLineOnAsItIsReadAndStopsHandingOnAfterABadLine() throws Exception {
        List<String> seen = new java.util.ArrayList<>();
        // a body that breaks off after two lines: the first two were handed on before the reader failed
        java.io.Reader breaking = new java.io.Reader() {
            private final java.io.StringReader head = new java.io.StringReader(
                    "{\"op\":\"remove\",\"id\":\"a\"}\n{\"op\":\"remove\",\"id\":\"b\"}\n");

            @Override
            public int read(char[] b, int off, int len) throws java.io.IOException {
                int n = head.read(b, off, len);
                if (n < 0) {
                    throw new java.io.IOException("connection reset");
                }
                return n;
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> ChangeRequests.read(new java.io.BufferedReader(breaking), 10, 3, 1000,
                r -> seen.add(((ChangeRequests.RemoveRequest) r).listingId()))).isInstanceOf(java.io.IOException.class);
        assertThat(seen).containsExactly("a", "b");

        // after a bad line the rest is checked (every bad line named) but no longer handed on
        seen.clear();
        String body = "{\"op\":\"remove\",\"id\":\"a\"}\nnope\n{\"op\":\"remove\",\"id\":\"c\"}\n{\"op\":\"x\"}\n";
        assertThatThrownBy(() -> ChangeRequests.read(new java.io.BufferedReader(new java.io.StringReader(body)), 10, 3, 1000,
                r -> seen.add(((ChangeRequests.RemoveRequest) r).listingId())))
                .isInstanceOf(ChangeRequests.InvalidBatchException.class).hasMessageContaining("line 2").hasMessageContaining("line 4");
        assertThat(seen).containsExactly("a");
    }
}
