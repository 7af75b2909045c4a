package topksae.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Mergeable statistics of training steps: tokens, token-weighted mean loss, reconstruction error,
 * input moments (for the centred FVU), L0 and per-concept fire counts.
 */
public final class StepStats implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public long tokens;
    /** Token-weighted mean of the step losses. */
    public double loss;
    /** Sum of squared reconstruction errors. */
    public double sse;
    /** Per input dim, the sum of x. */
    public double[] sumX;
    /** Sum of x^2 over all elements. */
    public double sumSqX;
    /** Number of code entries with |z| >= 1e-6 (overcomplete's l0_eps). */
    public double l0Sum;
    /** Per concept, the tokens where it fired (z > 0). */
    public long[] fireCounts;

    public StepStats() {}

    /** Statistics of one step on tokens x [N, dim] with reconstruction xHat and codes. */
    public static StepStats of(double loss, INDArray x, INDArray xHat, INDArray codes) {
        StepStats s = new StepStats();
        s.tokens = x.rows();
        s.loss = loss;
        INDArray r = x.sub(xHat);
        s.sse = r.mul(r).sumNumber().doubleValue();
        s.sumX = x.sum(0).castTo(DataType.DOUBLE).toDoubleVector();
        s.sumSqX = x.mul(x).sumNumber().doubleValue();
        s.l0Sum = Transforms.abs(codes, true)
                .gte(1e-6)
                .castTo(DataType.DOUBLE)
                .sumNumber()
                .doubleValue();
        double[] fires = codes.gt(0).castTo(DataType.DOUBLE).sum(0).toDoubleVector();
        s.fireCounts = new long[fires.length];
        for (int j = 0; j < fires.length; j++) {
            s.fireCounts[j] = Math.round(fires[j]);
        }
        return s;
    }

    public void merge(StepStats o) {
        if (o == null || o.tokens == 0) {
            return;
        }
        long t = tokens + o.tokens;
        loss = (loss * tokens + o.loss * o.tokens) / t;
        tokens = t;
        sse += o.sse;
        sumSqX += o.sumSqX;
        l0Sum += o.l0Sum;
        sumX = add(sumX, o.sumX);
        if (fireCounts == null) {
            fireCounts = o.fireCounts.clone();
        } else {
            for (int j = 0; j < fireCounts.length; j++) {
                fireCounts[j] += o.fireCounts[j];
            }
        }
    }

    private static double[] add(double[] a, double[] b) {
        if (a == null) {
            return b.clone();
        }
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    /** Centred fraction of variance unexplained: sse / sum((x - mean_per_dim(x))^2). */
    public double fvu() {
        double centred = sumSqX;
        for (double s : sumX) {
            centred -= s * s / tokens;
        }
        return sse / centred;
    }

    /** Mean squared error per element. */
    public double mse() {
        return sse / ((double) tokens * sumX.length);
    }

    /** overcomplete's R2 with one scalar mean: 1 - mse / (mean((x - mean(x))^2) + 1e-6). */
    public double r2() {
        double n = (double) tokens * sumX.length;
        double total = 0;
        for (double s : sumX) {
            total += s;
        }
        double var = sumSqX / n - (total / n) * (total / n);
        return 1 - mse() / (var + 1e-6);
    }

    /** Mean number of active codes per token. */
    public double l0() {
        return l0Sum / tokens;
    }

    /** Fraction of concepts that never fired. */
    public double deadFraction() {
        long dead = 0;
        for (long c : fireCounts) {
            dead += c == 0 ? 1 : 0;
        }
        return (double) dead / fireCounts.length;
    }
}
