package topksae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SparseLinearKernelTest {
    private static float[][] rand(Random r, int a, int b, double sd) {
        float[][] o = new float[a][b];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                o[i][j] = (float) (r.nextGaussian() * sd);
            }
        }
        return o;
    }

    private static void assertClose(double[][] want, INDArray got, double tol, String what) {
        float[][] g = got.toFloatMatrix();
        for (int i = 0; i < want.length; i++) {
            for (int j = 0; j < want[0].length; j++) {
                double diff = Math.abs(want[i][j] - g[i][j]);
                assertTrue(diff <= tol, what + "[" + i + "," + j + "]: " + want[i][j] + " vs " + g[i][j]);
            }
        }
    }

    /** Runs steps of the kernel and of the dense reference on the same batches and compares. */
    private static void compare(String norm, boolean useMult, double clip, int n, int d, int k, int rows, int steps) {
        Random r = new Random(norm.hashCode() + n);
        float[][] w = rand(r, n, d, 1.0 / Math.sqrt(d));
        float[] b = rand(r, 1, n, 0.1)[0];
        float[][] dict = rand(r, n, d, 1.0);
        float m0 = useMult ? 0.25f : 0f;
        INDArray wa = Nd4j.createFromArray(w);
        INDArray ba = Nd4j.createFromArray(b);
        INDArray da = Nd4j.createFromArray(dict);
        INDArray ma = Nd4j.scalar(DataType.FLOAT, m0);
        SparseLinearKernel kern = new SparseLinearKernel(wa, ba, da, ma, useMult, DictNorm.Kind.of(norm), k);
        INDArray[] mom = {Nd4j.zerosLike(wa), Nd4j.zerosLike(ba), Nd4j.zerosLike(da), Nd4j.zerosLike(ma)};
        INDArray[] sq = {Nd4j.zerosLike(wa), Nd4j.zerosLike(ba), Nd4j.zerosLike(da), Nd4j.zerosLike(ma)};
        DenseReference ref = new DenseReference(w, b, dict, m0, useMult, norm, k);
        for (int s = 1; s <= steps; s++) {
            float[][] x = rand(r, rows, d, 1.0);
            SparseLinearKernel.Result res = kern.step(
                    Nd4j.createFromArray(x), mom, sq, new SparseLinearKernel.Hyper(1e-2, 0.9, 0.999, 1e-8, clip, s));
            ref.step(x, 1e-2, 0.9, 0.999, 1e-8, clip);
            String at = norm + " step " + s;
            assertEquals(ref.lastLoss, res.loss, 1e-5 * Math.max(1, ref.lastLoss), at + " loss");
            assertArrayEquals(ref.lastFires, res.fires, at + " fires");
            assertClose(ref.w, wa, 2e-5, at + " W");
            assertClose(ref.dict, da, 2e-5, at + " D");
            assertClose(new double[][] {ref.b}, ba.reshape(1, n), 2e-5, at + " b");
            assertClose(ref.mw, mom[0], 1e-6, at + " exp_avg W");
            assertClose(ref.vd, sq[2], 1e-8, at + " exp_avg_sq D");
            assertEquals(ref.mult, ma.getDouble(0), 2e-5, at + " multiplier");
        }
    }

    @Test
    void l2MatchesDenseReferenceOverSeveralSteps() {
        compare("l2", false, 1.0, 64, 16, 4, 8, 3);
    }

    @Test
    void identityWithMultiplierMatches() {
        compare("identity", true, 1.0, 64, 16, 4, 8, 3);
    }

    @Test
    void otherNormalizationsMatch() {
        compare("max_l2", false, 1.0, 64, 16, 4, 8, 2);
        compare("l1", true, 1.0, 64, 16, 4, 8, 2);
        compare("max_l1", false, 0.0, 64, 16, 4, 8, 2);
    }

    @Test
    void manyChunksAndUnclippedMatch() {
        compare("l2", true, 0.0, 200, 24, 7, 70, 3);
    }

    @Test
    void encodeSparseGivesTopKOfReluPreCodes() {
        Random r = new Random(5);
        int n = 50, d = 12, k = 6, rows = 33;
        float[][] w = rand(r, n, d, 0.5);
        float[] b = rand(r, 1, n, 0.3)[0];
        INDArray wa = Nd4j.createFromArray(w);
        SparseLinearKernel kern = new SparseLinearKernel(
                wa, Nd4j.createFromArray(b), Nd4j.createFromArray(rand(r, n, d, 1)), null, false, DictNorm.Kind.L2, k);
        float[][] x = rand(r, rows, d, 1);
        SparseCodes codes = kern.encodeSparse(Nd4j.createFromArray(x));
        for (int i = 0; i < rows; i++) {
            float[] pre = new float[n];
            for (int j = 0; j < n; j++) {
                double p = b[j];
                for (int t = 0; t < d; t++) {
                    p += x[i][t] * w[j][t];
                }
                pre[j] = (float) p;
            }
            int[] want = RowTopKTest.reference(pre, k);
            assertEquals(want.length, codes.counts[i]);
            for (int s = 0; s < want.length; s++) {
                assertEquals(want[s], codes.idx[i * k + s]);
                assertEquals(pre[want[s]], codes.vals[i * k + s], 1e-5);
            }
        }
    }
}
