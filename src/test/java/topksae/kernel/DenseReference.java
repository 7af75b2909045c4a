package topksae.kernel;

/**
 * A plain double-precision TopK SAE step (linear encoder, dictionary read twice in train mode,
 * MSE, clip_grad_norm_, torch Adam), written directly from the formulas, to check the fused kernel.
 */
final class DenseReference {
    final int n;
    final int d;
    final int k;
    final String norm;
    final boolean trainMult;
    double[][] w;
    double[] b;
    double[][] dict;
    double mult;
    final double[][] mw;
    final double[][] vw;
    final double[] mb;
    final double[] vb;
    final double[][] md;
    final double[][] vd;
    double mm;
    double vm;
    int step;
    double lastLoss;
    long[] lastFires;

    DenseReference(float[][] w, float[] b, float[][] dict, float mult, boolean trainMult, String norm, int k) {
        this.n = w.length;
        this.d = w[0].length;
        this.k = k;
        this.norm = norm;
        this.trainMult = trainMult;
        this.w = toDouble(w);
        this.b = new double[n];
        for (int j = 0; j < n; j++) {
            this.b[j] = b[j];
        }
        this.dict = toDouble(dict);
        this.mult = mult;
        mw = new double[n][d];
        vw = new double[n][d];
        md = new double[n][d];
        vd = new double[n][d];
        mb = new double[n];
        vb = new double[n];
    }

    static double[][] toDouble(float[][] a) {
        double[][] o = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                o[i][j] = a[i][j];
            }
        }
        return o;
    }

    double[][] normalize(double[][] a) {
        double[] norms = new double[n];
        double max = 0;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int t = 0; t < d; t++) {
                s += norm.endsWith("l2") ? a[j][t] * a[j][t] : Math.abs(a[j][t]);
            }
            norms[j] = norm.endsWith("l2") ? Math.sqrt(s) : s;
            max = Math.max(max, norms[j]);
        }
        double[][] o = new double[n][d];
        for (int j = 0; j < n; j++) {
            double den =
                    switch (norm) {
                        case "l2", "l1" -> norms[j] + 1e-8;
                        case "max_l2", "max_l1" -> max;
                        default -> 1.0;
                    };
            for (int t = 0; t < d; t++) {
                o[j][t] = a[j][t] / den;
            }
        }
        return o;
    }

    void step(float[][] xf, double lr, double b1, double b2, double eps, double clip) {
        int rows = xf.length;
        double[][] x = toDouble(xf);
        double s = Math.exp(mult);
        double[][] d1 = normalize(dict);
        dict = normalize(d1);
        double[][] z = new double[rows][n];
        double[][] xh = new double[rows][d];
        lastFires = new long[n];
        for (int i = 0; i < rows; i++) {
            double[] a = new double[n];
            float[] pre = new float[n];
            for (int j = 0; j < n; j++) {
                double p = b[j];
                for (int t = 0; t < d; t++) {
                    p += x[i][t] * w[j][t];
                }
                a[j] = Math.max(0, p);
                pre[j] = (float) a[j];
            }
            for (int j : RowTopKTest.reference(pre, k)) {
                z[i][j] = a[j];
                lastFires[j]++;
                for (int t = 0; t < d; t++) {
                    xh[i][t] += a[j] * d1[j][t] * s;
                }
            }
        }
        double[][] g = new double[rows][d];
        double loss = 0;
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < d; t++) {
                double e = xh[i][t] - x[i][t];
                loss += e * e / (rows * d);
                g[i][t] = 2 * e / (rows * d);
            }
        }
        lastLoss = loss;
        double[][] gw = new double[n][d];
        double[] gb = new double[n];
        double[][] gd = new double[n][d];
        double gm = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                if (z[i][j] == 0) {
                    continue;
                }
                double gz = 0;
                for (int t = 0; t < d; t++) {
                    gz += g[i][t] * d1[j][t] * s;
                    gd[j][t] += z[i][j] * g[i][t] * s;
                    gm += z[i][j] * g[i][t] * d1[j][t] * s;
                }
                gb[j] += gz;
                for (int t = 0; t < d; t++) {
                    gw[j][t] += gz * x[i][t];
                }
            }
        }
        double sq = trainMult ? gm * gm : 0;
        for (int j = 0; j < n; j++) {
            sq += gb[j] * gb[j];
            for (int t = 0; t < d; t++) {
                sq += gw[j][t] * gw[j][t] + gd[j][t] * gd[j][t];
            }
        }
        double coef = clip > 0 ? Math.min(1, clip / (Math.sqrt(sq) + 1e-6)) : 1;
        step++;
        double bc1 = 1 - Math.pow(b1, step);
        double bc2 = Math.sqrt(1 - Math.pow(b2, step));
        for (int j = 0; j < n; j++) {
            for (int t = 0; t < d; t++) {
                w[j][t] = adam(w[j][t], gw[j][t] * coef, mw[j], vw[j], t, lr, b1, b2, eps, bc1, bc2);
                dict[j][t] = adam(dict[j][t], gd[j][t] * coef, md[j], vd[j], t, lr, b1, b2, eps, bc1, bc2);
            }
        }
        double[] one = {0};
        for (int j = 0; j < n; j++) {
            b[j] = adam(b[j], gb[j] * coef, mb, vb, j, lr, b1, b2, eps, bc1, bc2);
        }
        if (trainMult) {
            double[] m1 = {mm};
            double[] v1 = {vm};
            mult = adam(mult, gm * coef, m1, v1, 0, lr, b1, b2, eps, bc1, bc2);
            mm = m1[0];
            vm = v1[0];
        }
    }

    private static double adam(
            double p,
            double g,
            double[] m,
            double[] v,
            int t,
            double lr,
            double b1,
            double b2,
            double eps,
            double bc1,
            double bc2) {
        m[t] = b1 * m[t] + (1 - b1) * g;
        v[t] = b2 * v[t] + (1 - b2) * g * g;
        return p - lr / bc1 * m[t] / (Math.sqrt(v[t]) / bc2 + eps);
    }
}
