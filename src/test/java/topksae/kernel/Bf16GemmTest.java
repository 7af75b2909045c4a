package topksae.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The bf16 encoder GEMM against float32, and the precision setting's resolution. */
class Bf16GemmTest {
    private static boolean available() {
        return Precision.hasBf16Isa() && Precision.oneDnnLoads();
    }

    private static double relErr(INDArray want, INDArray got) {
        return want.sub(got).norm2Number().doubleValue() / want.norm2Number().doubleValue();
    }

    @Test
    void bf16ProductIsCloseToFloat32AndReusesItsPrimitives() {
        assumeTrue(available(), "this CPU has no bf16 instructions or oneDNN does not load");
        int n = 300, d = 96;
        Nd4j.getRandom().setSeed(3);
        INDArray w = Nd4j.randn(DataType.FLOAT, n, d);
        Bf16Gemm g = new Bf16Gemm(n, d);
        g.loadWeights(w);
        for (int rows : new int[] {64, 17, 64}) {
            INDArray x = Nd4j.randn(DataType.FLOAT, rows, d);
            INDArray want = Nd4j.create(DataType.FLOAT, rows, n);
            Nd4j.gemm(x, w, want, false, true, 1.0, 0.0);
            INDArray got = Nd4j.create(DataType.FLOAT, rows, n);
            g.multiply(x, got);
            double e = relErr(want, got);
            assertTrue(e < 5e-3 && e > 1e-5, "relative error of the bf16 product " + e + " at " + rows + " rows");
        }
        // exactly representable in bf16 inputs (small integers): the product is exact
        INDArray xi = Nd4j.createFromArray(new float[][] {{1, -2, 3}, {0.5f, 4, -1}});
        INDArray wi = Nd4j.createFromArray(new float[][] {{2, 1, 0}, {-1, 0.25f, 8}});
        Bf16Gemm s = new Bf16Gemm(2, 3);
        s.loadWeights(wi);
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 2);
        s.multiply(xi, out);
        assertEquals(0f, out.getFloat(0, 0));
        assertEquals(22.5f, out.getFloat(0, 1));
        assertEquals(5f, out.getFloat(1, 0));
        assertEquals(-7.5f, out.getFloat(1, 1));
    }

    @Test
    void encoderTopKInBf16MatchesFloat32OnClearWinners() {
        assumeTrue(available(), "this CPU has no bf16 instructions or oneDNN does not load");
        int n = 64, d = 32, k = 4, rows = 40;
        Nd4j.getRandom().setSeed(5);
        INDArray w = Nd4j.randn(DataType.FLOAT, n, d);
        INDArray b = Nd4j.zeros(DataType.FLOAT, n);
        INDArray x = Nd4j.create(DataType.FLOAT, rows, d);
        for (int i = 0; i < rows; i++) { // x_i = 3 w_j + 2 w_j' + ... : clear top concepts
            x.getRow(i)
                    .assign(w.getRow(i % n).mul(3).add(w.getRow((7 * i + 1) % n).mul(2)));
        }
        SparseCodes f = new TopKEncoder(w, b, k).useBf16(false).encode(x);
        TopKEncoder enc = new TopKEncoder(w, b, k).useBf16(true);
        assertTrue(enc.bf16());
        SparseCodes h = enc.encode(x);
        int same = 0;
        for (int i = 0; i < rows * k; i++) {
            same += f.idx[i] == h.idx[i] ? 1 : 0;
            if (f.idx[i] == h.idx[i]) {
                assertEquals(f.vals[i], h.vals[i], 2e-2 * Math.abs(f.vals[i]) + 1e-2);
            }
        }
        assertTrue(same >= rows * k * 9 / 10, "same selections " + same + " of " + rows * k);
    }

    @Test
    void smallerBatchAfterALargerOneReusesTheBuffers() {
        assumeTrue(available(), "this CPU has no bf16 instructions or oneDNN does not load");
        int n = 96, d = 16, k = 3;
        Nd4j.getRandom().setSeed(9);
        INDArray w = Nd4j.randn(DataType.FLOAT, n, d);
        INDArray b = Nd4j.zeros(DataType.FLOAT, n);
        TopKEncoder bf = new TopKEncoder(w, b, k).useBf16(true);
        TopKEncoder fp = new TopKEncoder(w, b, k).useBf16(false);
        for (int rows : new int[] {64, 44, 1, 64}) { // the last batch of a partition is often smaller
            INDArray x = Nd4j.randn(DataType.FLOAT, rows, d);
            SparseCodes h = bf.encode(x);
            SparseCodes f = fp.encode(x);
            double num = 0, den = 0;
            for (int r = 0; r < rows; r++) { // compare the largest code of each row
                float hm = 0, fm = 0;
                for (int s = 0; s < k; s++) {
                    hm = Math.max(hm, h.vals[r * k + s]);
                    fm = Math.max(fm, f.vals[r * k + s]);
                }
                num += Math.abs(hm - fm);
                den += fm;
            }
            assertTrue(num <= 2e-2 * den + 1e-3, "bf16 vs float32 top values at " + rows + " rows: " + num / den);
        }
    }

    @Test
    void settingResolvesAndFallsBack() {
        assertFalse(Precision.useBf16("float32"));
        assertFalse(Precision.useBf16("fp32"));
        assertEquals(available(), Precision.useBf16("bf16"));
        assertEquals("auto", Precision.normalize(null));
        assertThrows(IllegalArgumentException.class, () -> Precision.normalize("fp8"));
        String old = System.getProperty("topksae.precision");
        try {
            System.setProperty("topksae.precision", "float32");
            assertFalse(Precision.useBf16("auto"), "the system property replaces auto");
            assertEquals(available(), Precision.useBf16("bf16"), "an explicit setting wins over the property");
            System.setProperty("topksae.precision", "auto");
            assertEquals(available(), Precision.useBf16("auto"));
        } finally {
            if (old == null) {
                System.clearProperty("topksae.precision");
            } else {
                System.setProperty("topksae.precision", old);
            }
        }
        INDArray w = Nd4j.randn(DataType.FLOAT, 8, 4);
        assertFalse(new TopKEncoder(w, Nd4j.zeros(DataType.FLOAT, 8), 2)
                .useBf16(false)
                .bf16());
    }
}
