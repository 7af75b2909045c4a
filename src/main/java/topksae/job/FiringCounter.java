package topksae.job;

import java.util.Iterator;
import java.util.List;

import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import topksae.spark.TopKSAEModel;

/** Counts, over a sample of rows, how many rows each latent fired on (a non-zero code). */
public final class FiringCounter {
  private FiringCounter() {
  }

  public static FiringStats count(TopKSAEModel model, Dataset<Row> data, long sampleRows) {
    int nb = model.config().nbConcepts;
    String codes = model.getOutputCol();
    Dataset<Row> sample = sampleRows > 0 ? data.limit((int) Math.min(sampleRows, Integer.MAX_VALUE)) : data;
    List<long[]> parts = model.transform(sample).select(codes).javaRDD()
        .mapPartitions((Iterator<Row> it) -> List.of(countPartition(it, nb)).iterator())
        .collect();
    long[] total = new long[nb + 1];   // last slot: rows
    for (long[] p : parts) {
      for (int i = 0; i < total.length; i++) {
        total[i] += p[i];
      }
    }
    return new FiringStats(total[nb], java.util.Arrays.copyOf(total, nb));
  }

  private static long[] countPartition(Iterator<Row> rows, int nb) {
    long[] c = new long[nb + 1];
    while (rows.hasNext()) {
      Vector v = rows.next().getAs(0);
      SparseVector s = v.toSparse();
      int[] idx = s.indices();
      double[] val = s.values();
      for (int i = 0; i < idx.length; i++) {
        if (val[i] != 0) {
          c[idx[i]]++;
        }
      }
      c[nb]++;
    }
    return c;
  }
}
