package topksae.spark;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrainingData.class);
    final JavaRDD<float[]> blocks;
    final int dim;
    final int workers;
    final int rounds;
    final int localSteps;
    final long rows;
    final double[] mean;
    final InvalidRows invalid;

    private TrainingData(
            JavaRDD<float[]> blocks,
            int dim,
            int workers,
            int rounds,
            int localSteps,
            long rows,
            double[] mean,
            InvalidRows invalid) {
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
     * Reads, validates, lays out and persists the rows (slices of localSteps blocks, at most the steps
     * of one epoch); runs one job that materializes the cache.
     */
    static TrainingData prepare(
            Dataset<Row> df,
            InputColumn col,
            int dim,
            int workers,
            int localSteps,
            int batchSize,
            long seed,
            boolean skipInvalid) {
        Dataset<Row> input = df.select(col.name);
        long n = input.count();
        if (n == 0) {
            throw new IllegalArgumentException("the input dataset is empty: no rows in column '" + col.name + "'");
        }
        int steps = (int)
                Math.min(localSteps, Math.max(1, (n + (long) workers * batchSize - 1) / ((long) workers * batchSize)));
        int rowsPerSlice = Math.multiplyExact(steps, batchSize);
        int rounds = (int) Math.max(1, (n + (long) workers * rowsPerSlice - 1) / ((long) workers * rowsPerSlice));
        int slices = Math.multiplyExact(workers, rounds);
        long t0 = System.nanoTime();
        LOG.info(
                "topksae: reading, checking and caching {} rows of width {} as {} workers x {} rounds of {} local steps"
                        + " x {} rows",
                n,
                dim,
                workers,
                rounds,
                steps,
                batchSize);
        InvalidRows invalid = new InvalidRows(df.sparkSession().sparkContext());
        JavaPairRDD<Long, float[]> keyed = input.queryExecution()
                .toRdd()
                .toJavaRDD()
                .mapPartitionsWithIndex((p, it) -> validRows(p, it, col, dim, skipInvalid, invalid), true)
                .mapToPair(t -> t);
        JavaRDD<float[]> blocks = keyed.repartitionAndSortWithinPartitions(new SlicePartitioner(slices, seed))
                .values()
                .mapPartitions(it -> pack(it, dim, batchSize), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        blocks.setName("topksae training slices (" + workers + " workers x " + rounds + " rounds)");
        double[] sum = blocks.map(b -> sums(b, dim)).fold(new double[2 * dim + 1], TrainingData::addInPlace);
        long valid = (long) sum[dim];
        if (valid == 0) {
            blocks.unpersist(false);
            throw new IllegalArgumentException("no valid rows in column '" + col.name + "': " + invalid.describe());
        }
        LOG.info(
                "topksae: {} rows read and cached in {} s",
                valid,
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        double[] mean = new double[dim];
        double squares = 0;
        double variance = 0;
        for (int j = 0; j < dim; j++) {
            mean[j] = sum[j] / valid;
            squares += sum[dim + 1 + j];
            variance += sum[dim + 1 + j] - valid * mean[j] * mean[j];
        }
        if (variance <= 1e-9 * squares) {
            blocks.unpersist(false);
            throw new IllegalArgumentException(
                    "all " + valid + " valid rows of column '" + col.name + "' are the same "
                            + "vector (zero variance): there is nothing to learn and the FVU is undefined. Check the input column.");
        }
        return new TrainingData(blocks, dim, workers, rounds, steps, valid, mean, invalid);
    }

    /**
     * The row length: {@code rowLength} when > 0, else the most common length over all non-null rows
     * (one pass over the lengths; ties go to the longer length). Logged with the count of rows of
     * other lengths.
     */
    static int inferDim(Dataset<Row> df, InputColumn col, int rowLength) {
        if (rowLength > 0) {
            LOG.info("topksae: row length {} (rowLength param)", rowLength);
            return rowLength;
        }
        Map<Integer, Long> lengths = df.select(col.name)
                .queryExecution()
                .toRdd()
                .toJavaRDD()
                .mapPartitions(it -> List.of(lengthCounts(it, col)).iterator())
                .fold(new HashMap<>(), TrainingData::mergeCounts);
        long nulls = lengths.getOrDefault(-1, 0L);
        lengths.remove(-1);
        if (lengths.isEmpty()) {
            throw new IllegalArgumentException(
                    nulls == 0
                            ? "the input dataset is empty: no rows in column '" + col.name + "'"
                            : "column '" + col.name + "' holds only nulls (" + nulls + " rows)");
        }
        Map.Entry<Integer, Long> top = lengths.entrySet().stream()
                .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow();
        long others = lengths.values().stream().mapToLong(Long::longValue).sum() - top.getValue();
        LOG.info(
                "topksae: row length {} (the most common length, {} rows; {} rows of other lengths, {} null; "
                        + "set rowLength to choose)",
                top.getKey(),
                top.getValue(),
                others,
                nulls);
        return top.getKey();
    }

    private static HashMap<Integer, Long> lengthCounts(Iterator<InternalRow> it, InputColumn col) {
        HashMap<Integer, Long> m = new HashMap<>();
        while (it.hasNext()) {
            m.merge(col.length(it.next(), 0), 1L, Long::sum);
        }
        return m;
    }

    private static HashMap<Integer, Long> mergeCounts(HashMap<Integer, Long> a, HashMap<Integer, Long> b) {
        b.forEach((k, v) -> a.merge(k, v, Long::sum));
        return a;
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

    private static Iterator<Tuple2<Long, float[]>> validRows(
            int p, Iterator<InternalRow> it, InputColumn col, int dim, boolean skip, InvalidRows invalid) {
        return new Iterator<>() {
            private long i;
            private final long[] skipped = new long[3];
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
                        throw new InvalidRowException(
                                "invalid row " + index + " of input partition " + p + inputFile()
                                        + " in column '" + col.name + "': "
                                        + InputColumn.describe(problem, col.length(row, 0), dim)
                                        + ". Fix the data, or set handleInvalid=skip to skip such rows (they are counted in the summary).");
                    }
                    skipped[InvalidRows.index(problem)]++;
                }
                invalid.setPartition(p, skipped);
                return null;
            }
        };
    }

    /** " (file F)" while a file-based source is being read, else "". */
    private static String inputFile() {
        String f = org.apache.spark.rdd.InputFileBlockHolder.getInputFilePath().toString();
        return f.isEmpty() ? "" : " (file " + f + ")";
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

    /** Per column: the sum, then the count, then the sums of squares. */
    private static double[] sums(float[] block, int dim) {
        double[] s = new double[2 * dim + 1];
        for (int o = 0; o < block.length; o += dim) {
            for (int j = 0; j < dim; j++) {
                double v = block[o + j];
                s[j] += v;
                s[dim + 1 + j] += v * v;
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
