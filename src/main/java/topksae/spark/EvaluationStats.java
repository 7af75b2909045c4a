package topksae.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

/**
 * Sufficient statistics of a transformed data set for {@link TopKSAEEvaluator}, merged across
 * partitions: token count, squared error, per-dimension sums of x, sum of squares of x, summed
 * L0 of the codes and per-concept firing counts.
 */
final class EvaluationStats implements Serializable {
    private static final long serialVersionUID = 1L;
    long tokens;
    double sse;
    double sumSqX;
    double l0Sum;
    double[] sumX;
    long[] fires;

    /** Adds one row: input x, reconstruction xHat, codes (any ML Vector). */
    EvaluationStats add(Row row) {
        double[] x = values(row, 0, "input");
        double[] xHat = values(row, 1, "reconstruction");
        Vector codes = (Vector) row.get(2);
        if (codes == null) {
            throw new IllegalArgumentException("null codes in a row: evaluate the output of TopKSAEModel.transform");
        }
        if (x.length != xHat.length) {
            throw new IllegalArgumentException(
                    "input has " + x.length + " values but the reconstruction has " + xHat.length);
        }
        if (sumX == null) {
            sumX = new double[x.length];
            fires = new long[codes.size()];
        } else if (sumX.length != x.length || fires.length != codes.size()) {
            throw new IllegalArgumentException("rows differ in input or code size");
        }
        tokens++;
        for (int j = 0; j < x.length; j++) {
            double e = x[j] - xHat[j];
            sse += e * e;
            sumX[j] += x[j];
            sumSqX += x[j] * x[j];
        }
        if (codes instanceof SparseVector s) {
            int[] idx = s.indices();
            double[] val = s.values();
            for (int j = 0; j < idx.length; j++) {
                fire(idx[j], val[j]);
            }
        } else {
            double[] val = codes.toArray();
            for (int j = 0; j < val.length; j++) {
                fire(j, val[j]);
            }
        }
        return this;
    }

    private void fire(int concept, double value) {
        if (value != 0.0) {
            fires[concept]++;
            l0Sum++;
        }
    }

    EvaluationStats merge(EvaluationStats o) {
        if (o.sumX == null) {
            return this;
        }
        if (sumX == null) {
            return o;
        }
        tokens += o.tokens;
        sse += o.sse;
        sumSqX += o.sumSqX;
        l0Sum += o.l0Sum;
        for (int j = 0; j < sumX.length; j++) {
            sumX[j] += o.sumX[j];
        }
        for (int i = 0; i < fires.length; i++) {
            fires[i] += o.fires[i];
        }
        return this;
    }

    /** Centred total variance: sum ||x - mean(x)||^2. */
    double totalVariance() {
        double sq = 0;
        for (double s : sumX) {
            sq += s * s;
        }
        return sumSqX - sq / tokens;
    }

    Map<String, Double> metrics() {
        if (tokens == 0) {
            throw new IllegalArgumentException("cannot evaluate an empty data set");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double fvu = sse / totalVariance();
        m.put("fvu", fvu);
        m.put("mse", sse / ((double) tokens * sumX.length));
        m.put("r2", 1 - fvu);
        m.put("l0", l0Sum / tokens);
        topksae.train.DeadLatents dead = new topksae.train.DeadLatents(fires.length, tokens);
        dead.update(fires, tokens);
        m.put("deadFraction", dead.deadFraction());
        m.put("neverFiredFraction", dead.neverFiredFraction());
        m.put("deadWindowTokens", (double) dead.window());
        return m;
    }

    private static double[] values(Row row, int i, String what) {
        Object v = row.get(i);
        if (v == null) {
            throw new IllegalArgumentException("null " + what + " value in a row");
        }
        if (v instanceof Vector vec) {
            return vec.toArray();
        }
        if (v instanceof scala.collection.Seq<?> seq) {
            v = scala.jdk.javaapi.CollectionConverters.asJava(seq);
        }
        if (v instanceof List<?> list) {
            double[] out = new double[list.size()];
            for (int j = 0; j < out.length; j++) {
                out[j] = ((Number) list.get(j)).doubleValue();
            }
            return out;
        }
        throw new IllegalArgumentException(
                what + " column holds " + v.getClass().getName() + ", expected an ML Vector or an array of numbers");
    }
}
