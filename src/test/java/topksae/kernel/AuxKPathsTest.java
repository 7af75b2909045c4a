package topksae.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused step's AuxK, both its dense-GEMM and its sparse path, against a plain double-precision
 * reference written from the formulas (loss and every gradient), and its linear-time selection against
 * a sort.
 */
class AuxKPathsTest {
    private static final double ALPHA = 0.5;

    @Test
    void deadSelectionEqualsASortWithTiesAndFewPositives() {
        Random r = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(60);
            int k = 1 + r.nextInt(20);
            float[] z = new float[m];
            for (int q = 0; q < m; q++) {
                z[q] = trial % 3 == 0 ? r.nextInt(5) - 1 : (float) r.nextGaussian(); // ties and zeros
            }
            int[] idx = new int[k + 2];
            float[] val = new float[k + 2];
            int c = AuxKPass.selectDead(z.clone(), m, k, new float[m], idx, val, 2);
            int[] want = RowTopKTest.reference(z, k);
            assertArrayEquals(want, Arrays.copyOfRange(idx, 2, 2 + c), "trial " + trial);
            for (int s = 0; s < c; s++) {
                assertEquals(z[want[s]], val[2 + s], "trial " + trial);
            }
        }
    }

    @Test
    void denseAndSparsePathsEqualTheReference() {
        for (String path : new String[] {"dense", "sparse"}) {
            System.setProperty("topksae.auxkPath", path);
            try {
                check(path, 48, 10, 3, 7, 4, 3); // 16 dead, kAux 4: the selection matters
                check(path, 40, 8, 2, 5, 32, 4); // 10 dead, kAux above the positives
            } finally {
                System.clearProperty("topksae.auxkPath");
            }
        }
    }

    @Test
    void automaticPathTakesDenseForFewDeadAndSparseForMany() {
        String before = System.getProperty("topksae.auxkPath");
        System.setProperty("topksae.auxkPath", "auto");
        try {
            assertTrue(SparseLinearKernel.auxKDense(1000, 512));
            assertTrue(SparseLinearKernel.auxKDense(300, 512), "fewer dead than kAux");
            assertTrue(!SparseLinearKernel.auxKDense(8192, 512));
            assertTrue(!SparseLinearKernel.auxKDense(0, 512), "nothing dead: no AuxK at all");
        } finally {
            if (before == null) {
                System.clearProperty("topksae.auxkPath");
            } else {
                System.setProperty("topksae.auxkPath", before);
            }
        }
    }

    /** One kernel step with every every-th concept dead against the reference's loss and gradients. */
    private static void check(String path, int n, int d, int k, int rows, int kAux, int every) {
        Random r = new Random(n * 31L + kAux);
        double[][] w = rand(r, n, d, 1.0 / Math.sqrt(d));
        double[] b = rand(r, 1, n, 0.1)[0];
        double[][] dict = rand(r, n, d, 1.0);
        double[][] x = rand(r, rows, d, 1.0);
        boolean[] dead = new boolean[n];
        for (int j = 0; j < n; j += every) {
            dead[j] = true;
        }
        INDArray wa = Nd4j.createFromArray(toFloat(w));
        INDArray ba = Nd4j.createFromArray(toFloat(b));
        INDArray da = Nd4j.createFromArray(toFloat(dict));
        SparseLinearKernel kern = new SparseLinearKernel(wa, ba, da, null, false, DictNorm.Kind.IDENTITY, k);
        kern.auxK(kAux);
        INDArray[] m = {Nd4j.zerosLike(wa), Nd4j.zerosLike(ba), Nd4j.zerosLike(da)};
        INDArray[] v = {Nd4j.zerosLike(wa), Nd4j.zerosLike(ba), Nd4j.zerosLike(da)};
        SparseLinearKernel.Result res = kern.step(
                Nd4j.createFromArray(toFloat(x)),
                m,
                v,
                new SparseLinearKernel.Hyper(1e-3, 0.9, 0.999, 1e-8, 0, 1),
                dead,
                ALPHA);
        Reference ref = new Reference(w, b, dict, x, dead, k, kAux);
        String at = path + " n " + n + " kAux " + kAux;
        assertTrue(ref.auxLoss > 0, at + ": the case has an AuxK term");
        assertEquals(ref.auxLoss, res.auxLoss, 1e-5 * ref.auxLoss, at + " aux loss");
        assertEquals(ref.loss, res.loss, 1e-5 * ref.loss, at + " loss");
        double scale = 0;
        for (int j = 0; j < n; j++) {
            scale = Math.max(scale, Math.abs(ref.gb[j]));
        }
        double tol = 1e-5 * scale;
        for (int j = 0; j < n; j++) {
            boolean got = kern.touched(j);
            assertEquals(ref.gb[j], got ? kern.gradB()[j] : 0f, tol, at + " db " + j);
            for (int t = 0; t < d; t++) {
                assertEquals(ref.gw[j][t], got ? kern.gradW()[j * d + t] : 0f, tol, at + " dW " + j);
                assertEquals(ref.gd[j][t], got ? kern.gradD()[j * d + t] : 0f, tol, at + " dD " + j);
            }
        }
    }

    /** mse + alpha * mse(x - xHat, a D) and its gradients, in double, straight from the formulas. */
    private static final class Reference {
        double loss;
        double auxLoss;
        final double[][] gw;
        final double[][] gd;
        final double[] gb;

        Reference(double[][] w, double[] b, double[][] dict, double[][] x, boolean[] dead, int k, int kAux) {
            int n = w.length;
            int d = w[0].length;
            int rows = x.length;
            gw = new double[n][d];
            gd = new double[n][d];
            gb = new double[n];
            double cnt = (double) rows * d;
            for (int i = 0; i < rows; i++) {
                float[] relu = new float[n];
                float[] deadRelu = new float[n];
                for (int j = 0; j < n; j++) {
                    double p = b[j];
                    for (int t = 0; t < d; t++) {
                        p += x[i][t] * w[j][t];
                    }
                    relu[j] = (float) Math.max(0, p);
                    deadRelu[j] = dead[j] ? relu[j] : 0f;
                }
                int[] main = RowTopKTest.reference(relu, k);
                int[] aux = RowTopKTest.reference(deadRelu, kAux);
                double[] xh = decode(main, relu, dict, d);
                double[] ad = decode(aux, deadRelu, dict, d);
                double[] g = new double[d];
                double[] ga = new double[d];
                for (int t = 0; t < d; t++) {
                    double e = xh[t] - x[i][t];
                    double ea = x[i][t] - xh[t] - ad[t];
                    loss += e * e / cnt;
                    auxLoss += ALPHA * ea * ea / cnt;
                    g[t] = 2 * e / cnt;
                    ga[t] = -2 * ALPHA * ea / cnt;
                }
                backward(main, relu, g, x[i], dict);
                backward(aux, deadRelu, ga, x[i], dict);
            }
            loss += auxLoss;
        }

        private static double[] decode(int[] sel, float[] a, double[][] dict, int d) {
            double[] out = new double[d];
            for (int j : sel) {
                for (int t = 0; t < d; t++) {
                    out[t] += a[j] * dict[j][t];
                }
            }
            return out;
        }

        /** Adds the gradients of the selected concepts given dL/d(their decode) = g. */
        private void backward(int[] sel, float[] a, double[] g, double[] x, double[][] dict) {
            for (int j : sel) {
                double dPre = 0;
                for (int t = 0; t < g.length; t++) {
                    dPre += g[t] * dict[j][t];
                }
                gb[j] += dPre;
                for (int t = 0; t < g.length; t++) {
                    gw[j][t] += dPre * x[t];
                    gd[j][t] += a[j] * g[t];
                }
            }
        }
    }

    private static double[][] rand(Random r, int a, int b, double sd) {
        double[][] o = new double[a][b];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                o[i][j] = (float) (r.nextGaussian() * sd);
            }
        }
        return o;
    }

    private static float[][] toFloat(double[][] a) {
        float[][] o = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            o[i] = toFloat(a[i]);
        }
        return o;
    }

    private static float[] toFloat(double[] a) {
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = (float) a[i];
        }
        return o;
    }
}
