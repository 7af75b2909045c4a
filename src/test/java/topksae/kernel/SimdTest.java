package topksae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The SIMD loops against the scalar ones (the test JVM loads jdk.incubator.vector, see the pom). */
class SimdTest {
    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void simdIsActiveInTests() {
        assertTrue(Vec.SIMD, "tests run with --add-modules=jdk.incubator.vector");
    }

    @Test
    void elementwiseLoopsAreBitIdenticalAndReductionsClose() {
        Random r = new Random(3);
        for (int n : new int[] {1, 7, 16, 33, 768, 1000}) {
            float[] x = rand(r, n + 5);
            float[] y1 = rand(r, n + 3);
            float[] y2 = y1.clone();
            Simd.axpy(0.7f, x, 5, y1, 3, n);
            Vec.axpyScalar(0.7f, x, 5, y2, 3, n);
            assertArrayEquals(y2, y1);
            Simd.scale(-1.3f, x, 2, y1, 1, n);
            Vec.scaleScalar(-1.3f, x, 2, y2, 1, n);
            assertArrayEquals(y2, y1);
            assertEquals(Vec.dotScalar(x, 5, y1, 3, n), Simd.dot(x, 5, y1, 3, n), 1e-5 * n);
            assertEquals(Vec.sumSqScalar(x, 1, n), Simd.sumSq(x, 1, n), 1e-5 * n);
        }
    }

    @Test
    void fusedBiasSelectionMatchesScalarSelection() {
        Random r = new Random(4);
        for (int trial = 0; trial < 100; trial++) {
            int n = 1 + r.nextInt(500);
            int k = 1 + r.nextInt(40);
            float[] row = rand(r, n);
            float[] bias = rand(r, n);
            if (trial % 3 == 0) {
                for (int j = 0; j < n; j++) {
                    row[j] = r.nextInt(4) - 2;
                    bias[j] = 0f;
                }
            }
            float[] biased = new float[n];
            for (int j = 0; j < n; j++) {
                biased[j] = row[j] + bias[j];
            }
            int[] i1 = new int[k];
            int[] i2 = new int[k];
            float[] v1 = new float[k];
            float[] v2 = new float[k];
            int c1 = RowTopK.selectWithBias(row.clone(), bias, n, k, new RowTopK.Heap(k), i1, v1, 0);
            int c2 = RowTopK.select(biased, n, k, new RowTopK.Heap(k), i2, v2, 0);
            assertEquals(c2, c1);
            assertArrayEquals(i2, i1);
            assertArrayEquals(v2, v1);
        }
    }

    @Test
    void selectionStraightFromNativeMemoryMatches() {
        Random r = new Random(6);
        int rows = 5, n = 203, k = 9;
        float[] pre = rand(r, rows * n);
        float[] bias = rand(r, n);
        INDArray a = Nd4j.createFromArray(pre);
        for (int i = 0; i < rows; i++) {
            float[] biased = new float[n];
            for (int j = 0; j < n; j++) {
                biased[j] = pre[i * n + j] + bias[j];
            }
            int[] i1 = new int[k];
            int[] i2 = new int[k];
            float[] v1 = new float[k];
            float[] v2 = new float[k];
            int c1 = RowTopK.selectNative(
                    Native.bytes(a), Native.view(a), i * n * 4, bias, n, k, new RowTopK.Heap(k), i1, v1, 0);
            int c2 = RowTopK.select(biased, n, k, new RowTopK.Heap(k), i2, v2, 0);
            assertEquals(c2, c1);
            assertArrayEquals(i2, i1);
            assertArrayEquals(v2, v1);
        }
    }

    @Test
    void inPlaceAdamMatchesTheCopyingPathExactly() {
        Random r = new Random(5);
        int n = 9, d = 37;
        float[] g = rand(r, n * d);
        boolean[] has = new boolean[n];
        for (int j = 0; j < n; j++) {
            has[j] = j % 3 != 0;
        }
        INDArray[] a = new INDArray[3];
        INDArray[] b = new INDArray[3];
        for (int q = 0; q < 3; q++) {
            a[q] = Nd4j.createFromArray(rand(r, n * d)).reshape(n, d);
            if (q == 2) {
                a[q].muli(a[q]);
            }
            b[q] = a[q].dup();
        }
        AdamPass adam = new AdamPass(1e-3, 0.9, 0.999, 1e-8, 3);
        adam.rows(Native.view(a[0]), Native.view(a[1]), Native.view(a[2]), g, has, 0.5f, n, d);
        adam.rows(
                Native.view(b[0]),
                Native.view(b[1]),
                Native.view(b[2]),
                Native.bytes(b[0]),
                Native.bytes(b[1]),
                Native.bytes(b[2]),
                g,
                has,
                0.5f,
                n,
                d);
        for (int q = 0; q < 3; q++) {
            assertArrayEquals(a[q].data().asFloat(), b[q].data().asFloat(), "array " + q);
            assertEquals(DataType.FLOAT, b[q].dataType());
        }
    }
}
