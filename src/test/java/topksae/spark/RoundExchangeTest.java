package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.train.TrainConfig;
import topksae.train.Trainer;

/** The pieces of a round's exchange without Spark: chunk ranges, flat views, ordered sums. */
class RoundExchangeTest {
    @Test
    void rangesCoverEachPartInBoundedChunksThatNeverCrossAPart() {
        List<RoundExchange.Range> r = RoundExchange.ranges(new long[] {10, 4}, 4);
        assertEquals(
                List.of(
                        new RoundExchange.Range(0, 0, 4),
                        new RoundExchange.Range(0, 4, 4),
                        new RoundExchange.Range(0, 8, 2),
                        new RoundExchange.Range(1, 0, 4)),
                r);
        assertEquals(4 << 20, RoundExchange.chunkFloats(1), "16 MB chunks for few workers");
        assertEquals(1 << 20, RoundExchange.chunkFloats(1000), "4 MB chunks for many");
    }

    @Test
    void flatViewsReadTheSameValuesAsTheFullStates() {
        SAEConfig c = new SAEConfig();
        c.variant = "batchtopk";
        c.inputShape = new int[] {8};
        c.nbConcepts = 24;
        c.topK = 3;
        c.encoder = "linear";
        c.normalization = "l2";
        c.seed = 5;
        SAE sae = SAE.fromConfig(c);
        sae.train();
        Trainer t = new Trainer(sae, new TrainConfig());
        t.step(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 16, 8));
        assertViewMatches(ModelState.of(sae), FlatView.model(sae));
        assertViewMatches(t.optimizer().flatState(), FlatView.adam(t.optimizer()));
        assertTrue(FlatView.model(sae).finite());
        sae.stateDict().values().iterator().next().putScalar(0, Float.NaN);
        assertFalse(FlatView.model(sae).finite());
    }

    private static void assertViewMatches(float[] full, FlatView view) {
        assertEquals(full.length, view.length());
        float[] read = new float[full.length];
        for (int from = 0; from < full.length; from += 7) {
            int len = Math.min(7, full.length - from);
            view.read(from, read, from, len);
        }
        assertArrayEquals(full, read);
    }

    @Test
    void chunksAreSummedInWorkerOrderWithCountsFromChunkZero() {
        List<RoundExchange.Piece> sorted = new ArrayList<>();
        sorted.add(new RoundExchange.Piece(0, new float[] {1e8f, 2}, RoundResult.of(null, null, null, 1.0)));
        sorted.add(new RoundExchange.Piece(0, null, RoundResult.rejected(64, 5.0)));
        sorted.add(new RoundExchange.Piece(0, new float[] {-1e8f, 3}, RoundResult.of(null, null, null, 2.0)));
        sorted.add(new RoundExchange.Piece(0, new float[] {1f, 4}, RoundResult.of(null, null, null, 0.5)));
        Iterator<RoundExchange.Piece> out = RoundExchange.sumInOrder(sorted.iterator());
        RoundExchange.Piece sum = out.next();
        assertFalse(out.hasNext());
        assertArrayEquals(new float[] {(1e8f + -1e8f) + 1f, 9}, sum.values, "((w0 + w2) + w3), in that order");
        assertEquals(3, sum.meta.workers);
        assertEquals(1, sum.meta.rejected);
        assertEquals(5.0, sum.meta.maxComputeSeconds);
        RoundExchange.Piece later = RoundExchange.sumInOrder(List.of(
                                new RoundExchange.Piece(3, new float[] {1}, null),
                                new RoundExchange.Piece(3, new float[] {2}, null))
                        .iterator())
                .next();
        assertEquals(3, later.chunk);
        assertNull(later.meta);
        assertFalse(
                RoundExchange.sumInOrder(java.util.Collections.emptyIterator()).hasNext());
        assertTrue(RoundExchange.key(1, 0) > RoundExchange.key(0, 7), "ordered by chunk, then worker");
        assertEquals(2, new RoundExchange.ByChunk(4).getPartition(RoundExchange.key(2, 9)));
    }

    @Test
    void aPieceSerializesItsValuesOnceAndLetsGoOfThem() throws Exception {
        float[] v = new float[100_003];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 7;
        }
        RoundExchange.Piece p = new RoundExchange.Piece(2, v.clone(), RoundResult.rejected(64, 1.0));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(p);
            out.writeObject(new RoundExchange.Piece(0, null, null));
        }
        assertNull(p.values, "released once written");
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            RoundExchange.Piece back = (RoundExchange.Piece) in.readObject();
            assertEquals(2, back.chunk);
            assertArrayEquals(v, back.values);
            assertEquals(1, back.meta.rejected);
            assertNull(((RoundExchange.Piece) in.readObject()).values);
        }
    }
}
