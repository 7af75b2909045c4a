package topksae.job;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

/**
 * What the report needs from the codes of a sample of rows, merged across partitions: per
 * concept the rows it fired on, the sum of its activations, and its {@code n} strongest rows
 * (activation and row key, strongest first; ties keep the row seen first).
 */
final class ConceptDigest implements Serializable {
    private static final long serialVersionUID = 1L;
    final int concepts;
    final int n;
    long rows;
    final long[] fires;
    final double[] sum;
    final float[] topActivation;
    final long[] topKey;

    ConceptDigest(int concepts, int n) {
        this.concepts = concepts;
        this.n = n;
        fires = new long[concepts];
        sum = new double[concepts];
        topActivation = new float[concepts * n];
        topKey = new long[concepts * n];
        Arrays.fill(topActivation, Float.NEGATIVE_INFINITY);
        Arrays.fill(topKey, -1);
    }

    /** Adds one row's codes. */
    ConceptDigest add(long key, Vector codes) {
        SparseVector s = codes.toSparse();
        int[] idx = s.indices();
        double[] val = s.values();
        for (int i = 0; i < idx.length; i++) {
            if (val[i] != 0) {
                fires[idx[i]]++;
                sum[idx[i]] += val[i];
                offer(idx[i], (float) val[i], key);
            }
        }
        rows++;
        return this;
    }

    ConceptDigest merge(ConceptDigest o) {
        rows += o.rows;
        for (int c = 0; c < concepts; c++) {
            fires[c] += o.fires[c];
            sum[c] += o.sum[c];
            for (int j = c * n; j < (c + 1) * n && o.topKey[j] >= 0; j++) {
                offer(c, o.topActivation[j], o.topKey[j]);
            }
        }
        return this;
    }

    private void offer(int concept, float activation, long key) {
        int lo = concept * n;
        int last = lo + n - 1;
        if (activation <= topActivation[last]) {
            return;
        }
        int p = last;
        while (p > lo && topActivation[p - 1] < activation) {
            topActivation[p] = topActivation[p - 1];
            topKey[p] = topKey[p - 1];
            p--;
        }
        topActivation[p] = activation;
        topKey[p] = key;
    }

    FiringStats firing() {
        return new FiringStats(rows, fires.clone());
    }

    double meanActivation(int concept) {
        return fires[concept] == 0 ? 0 : sum[concept] / fires[concept];
    }

    /** The concept's strongest rows held, strongest first: number of them. */
    int held(int concept) {
        int k = 0;
        while (k < n && topKey[concept * n + k] >= 0) {
            k++;
        }
        return k;
    }
}
