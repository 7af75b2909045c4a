package topksae.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The training rows, read once, validated, spread over workers x rounds slices and persisted
 * (MEMORY_AND_DISK) as blocks of at most batchSize rows (one float[] of rows x dim per block).
 * Slice s = round * workers + worker. Row (input partition p, row i) goes to slice
 * (i + start(p)) mod slices and each slice is sorted by (p, i): the layout depends only on the
 * input partitioning and the seed, never on shuffle fetch order.
 */
final class TrainingData {
  final JavaRDD<float[]> blocks;
  final int dim;
  final int workers;
  final int rounds;
  final int localSteps;
  final long rows;
  final double[] mean;
  final InvalidRows invalid;

  private TrainingData(JavaRDD<float[]> blocks, int dim, int workers, int rounds, int localSteps, long rows,
      double[] mean, InvalidRows invalid) {
    this.blocks = blocks;
    this.dim = dim;
    this.workers = workers;
    this.rounds = rounds;
    this.localSteps = localSteps;
    this.rows = rows;
    this.mean = mean;
    this.invalid = invalid;
  }

  /**
   * Reads, validates, lays out and persists the rows (slices of localSteps blocks; 0 = chosen from
   * the row count by {@link Recipe#localSteps}); runs one job that materializes the cache.
   */
  static TrainingData prepare(Dataset<Row> df, InputColumn col, int dim, int workers, int localSteps,
      int batchSize, long seed, boolean skipInvalid) {
    Dataset<Row> input = df.select(col.name);
    long n = input.count();
    if (n == 0) {
      throw new IllegalArgumentException("the input dataset is empty: no rows in column '" + col.name + "'");
    }
    int steps = Recipe.localSteps(localSteps, n, workers, batchSize);
    int rowsPerSlice = Math.multiplyExact(steps, batchSize);
    int rounds = (int) Math.max(1, (n + (long) workers * rowsPerSlice - 1) / ((long) workers * rowsPerSlice));
    int slices = Math.multiplyExact(workers, rounds);
    InvalidRows invalid = new InvalidRows(df.sparkSession().sparkContext());
    JavaPairRDD<Long, float[]> keyed = input.queryExecution().toRdd().toJavaRDD()
        .mapPartitionsWithIndex((p, it) -> validRows(p, it, col, dim, skipInvalid, invalid), true)
        .mapToPair(t -> t);
    JavaRDD<float[]> blocks = keyed.repartitionAndSortWithinPartitions(new SlicePartitioner(slices, seed))
        .values()
        .mapPartitions(it -> pack(it, dim, batchSize), true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    blocks.setName("topksae training slices (" + workers + " workers x " + rounds + " rounds)");
    double[] sum = blocks.map(b -> sums(b, dim)).fold(new double[dim + 1], TrainingData::addInPlace);
    long valid = (long) sum[dim];
    if (valid == 0) {
      blocks.unpersist(false);
      throw new IllegalArgumentException("no valid rows in column '" + col.name + "': " + invalid.describe());
    }
    double[] mean = new double[dim];
    for (int j = 0; j < dim; j++) {
      mean[j] = sum[j] / valid;
    }
    return new TrainingData(blocks, dim, workers, rounds, steps, valid, mean, invalid);
  }

  /** The row length: the most frequent length among the first non-null rows. */
  static int inferDim(Dataset<Row> df, InputColumn col) {
    List<Row> head = df.select(col.name).where(df.col(col.name).isNotNull()).limit(64).collectAsList();
    if (head.isEmpty()) {
      long n = df.count();
      throw new IllegalArgumentException(n == 0
          ? "the input dataset is empty: no rows in column '" + col.name + "'"
          : "column '" + col.name + "' holds only nulls (" + n + " rows)");
    }
    java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
    for (Row r : head) {
      int len = col.kind == InputColumn.Kind.VECTOR ? ((org.apache.spark.ml.linalg.Vector) r.get(0)).size()
          : r.getList(0).size();
      counts.merge(len, 1, Integer::sum);
    }
    return counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /** Up to maxRows rows from the first slices (every slices-th row of each input partition) as one array. */
  float[] sample(int maxRows, int batchSize) {
    List<float[]> taken = blocks.take((maxRows + batchSize - 1) / batchSize);
    int rowsTaken = 0;
    for (float[] b : taken) {
      rowsTaken += b.length / dim;
    }
    float[] out = new float[Math.min(maxRows, rowsTaken) * dim];
    int pos = 0;
    for (float[] b : taken) {
      int n = Math.min(b.length, out.length - pos);
      System.arraycopy(b, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  void release() {
    blocks.unpersist(false);
  }

  private static Iterator<Tuple2<Long, float[]>> validRows(int p, Iterator<InternalRow> it, InputColumn col,
      int dim, boolean skip, InvalidRows invalid) {
    return new Iterator<>() {
      private long i;
      private Tuple2<Long, float[]> next = advance();

      public boolean hasNext() {
        return next != null;
      }

      public Tuple2<Long, float[]> next() {
        Tuple2<Long, float[]> out = next;
        next = advance();
        return out;
      }

      private Tuple2<Long, float[]> advance() {
        while (it.hasNext()) {
          InternalRow row = it.next();
          float[] x = new float[dim];
          InputColumn.Problem problem = col.read(row, 0, x);
          long index = i++;
          if (problem == null) {
            return new Tuple2<>(((long) p << 40) | index, x);
          }
          if (!skip) {
            throw new IllegalArgumentException("invalid row " + index + " of input partition " + p
                + " in column '" + col.name + "': " + InputColumn.describe(problem, col.length(row, 0), dim)
                + ". Fix the data, or set handleInvalid=skip to skip such rows (they are counted in the summary).");
          }
          invalid.add(problem);
        }
        return null;
      }
    };
  }

  private static Iterator<float[]> pack(Iterator<float[]> rows, int dim, int batchSize) {
    return new Iterator<>() {
      public boolean hasNext() {
        return rows.hasNext();
      }

      public float[] next() {
        float[] buf = new float[batchSize * dim];
        int r = 0;
        while (r < batchSize && rows.hasNext()) {
          System.arraycopy(rows.next(), 0, buf, r * dim, dim);
          r++;
        }
        return r == batchSize ? buf : Arrays.copyOf(buf, r * dim);
      }
    };
  }

  private static double[] sums(float[] block, int dim) {
    double[] s = new double[dim + 1];
    for (int o = 0; o < block.length; o += dim) {
      for (int j = 0; j < dim; j++) {
        s[j] += block[o + j];
      }
    }
    s[dim] = block.length / dim;
    return s;
  }

  private static double[] addInPlace(double[] a, double[] b) {
    for (int j = 0; j < a.length; j++) {
      a[j] += b[j];
    }
    return a;
  }

  /** Row (p, i) to slice (i + start(p)) mod slices: balanced, spread, deterministic. */
  static final class SlicePartitioner extends Partitioner {
    private final int slices;
    private final long seed;

    SlicePartitioner(int slices, long seed) {
      this.slices = slices;
      this.seed = seed;
    }

    @Override
    public int numPartitions() {
      return slices;
    }

    @Override
    public int getPartition(Object key) {
      long k = (Long) key;
      long p = k >>> 40;
      long i = k & ((1L << 40) - 1);
      long start = Math.floorMod(mix(p * 0x9E3779B97F4A7C15L ^ seed), slices);
      return (int) ((i + start) % slices);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SlicePartitioner s && s.slices == slices && s.seed == seed;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(seed) * 31 + slices;
    }
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
