package topksae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ColumnTopKTest {
    @Test
    void columnMajorScanEqualsRowSelection() {
        Random r = new Random(8);
        for (int trial = 0; trial < 30; trial++) {
            int rows = 1 + r.nextInt(70);
            int n = 1 + r.nextInt(120);
            int k = 1 + r.nextInt(12);
            boolean ties = trial % 2 == 0;
            float[][] pre = new float[rows][n];
            float[] bias = new float[n];
            for (int j = 0; j < n; j++) {
                bias[j] = ties ? 0f : (float) r.nextGaussian();
                for (int i = 0; i < rows; i++) {
                    pre[i][j] = ties ? r.nextInt(4) - 2 : (float) r.nextGaussian();
                }
            }
            INDArray f = Nd4j.createFromArray(pre).dup('f');
            int[] idx = new int[rows * k];
            float[] val = new float[rows * k];
            int[] cnt = new int[rows];
            int block = 16 * (1 + r.nextInt(3));
            for (int lo = 0; lo < rows; lo += block) {
                ColumnTopK.select(
                        f.data().asNio().order(java.nio.ByteOrder.nativeOrder()),
                        f.data().asNioFloat(),
                        rows,
                        n,
                        bias,
                        k,
                        lo,
                        Math.min(rows, lo + block),
                        idx,
                        val,
                        cnt);
            }
            for (int i = 0; i < rows; i++) {
                float[] biased = new float[n];
                for (int j = 0; j < n; j++) {
                    biased[j] = pre[i][j] + bias[j];
                }
                int[] wantIdx = new int[k];
                float[] wantVal = new float[k];
                int c = RowTopK.select(biased, n, k, new RowTopK.Heap(k), wantIdx, wantVal, 0);
                assertArrayEquals(
                        java.util.Arrays.copyOf(wantIdx, c),
                        java.util.Arrays.copyOfRange(idx, i * k, i * k + cnt[i]),
                        "trial " + trial + " row " + i);
                assertArrayEquals(
                        java.util.Arrays.copyOf(wantVal, c), java.util.Arrays.copyOfRange(val, i * k, i * k + cnt[i]));
            }
        }
    }

    @Test
    void bothGemmLayoutsEncodeAlike() {
        INDArray w = Nd4j.randn(DataType.FLOAT, 300, 24);
        INDArray b = Nd4j.randn(DataType.FLOAT, 300);
        INDArray x = Nd4j.randn(DataType.FLOAT, 77, 24);
        SparseCodes c = new TopKEncoder(w, b, 10).encode(x);
        SparseCodes f;
        System.setProperty("topksae.preOrder", "f");
        try {
            f = new TopKEncoder(w, b, 10).encode(x);
        } finally {
            System.clearProperty("topksae.preOrder");
        }
        assertArrayEquals(c.counts, f.counts);
        assertArrayEquals(c.idx, f.idx);
        assertArrayEquals(c.vals, f.vals, 1e-4f, "the two GEMMs may round differently");
    }
}
