package topksae.analysis;

import java.io.Serializable;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

/** Per-concept firing counts, activation sums and maxima, merged across partitions. */
final class ConceptStats implements Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    long[] fires;
    double[] sum;
    double[] max;

    ConceptStats add(Vector codes) {
        rows++;
        if (codes == null) {
            return this;
        }
        if (fires == null) {
            fires = new long[codes.size()];
            sum = new double[codes.size()];
            max = new double[codes.size()];
        } else if (fires.length != codes.size()) {
            throw new IllegalArgumentException(
                    "codes vectors differ in size: " + fires.length + " and " + codes.size());
        }
        if (codes instanceof SparseVector s) {
            int[] idx = s.indices();
            double[] val = s.values();
            for (int j = 0; j < idx.length; j++) {
                add(idx[j], val[j]);
            }
        } else {
            double[] val = codes.toArray();
            for (int j = 0; j < val.length; j++) {
                add(j, val[j]);
            }
        }
        return this;
    }

    private void add(int concept, double v) {
        if (v != 0.0) {
            fires[concept]++;
            sum[concept] += v;
            max[concept] = fires[concept] == 1 ? v : Math.max(max[concept], v);
        }
    }

    ConceptStats merge(ConceptStats o) {
        if (o.fires == null) {
            rows += o.rows;
            return this;
        }
        if (fires == null) {
            o.rows += rows;
            return o;
        }
        rows += o.rows;
        for (int i = 0; i < fires.length; i++) {
            if (o.fires[i] > 0) {
                max[i] = fires[i] == 0 ? o.max[i] : Math.max(max[i], o.max[i]);
            }
            fires[i] += o.fires[i];
            sum[i] += o.sum[i];
        }
        return this;
    }
}
