package topksae.analysis;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nearest-neighbour concepts by cosine similarity of dictionary rows. The unit-normalized
 * dictionary is broadcast once; tasks take blocks of rows, compute block x D^T with one GEMM
 * and keep each row's n best other concepts, so the full similarity matrix never exists.
 */
public final class NearestConcepts {
    private NearestConcepts() {}

    /** Rows {@code concept, rank (1 = most similar), neighbour, cosine}, excluding the concept itself. */
    public static Dataset<Row> nearestConcepts(float[][] dictionary, int n) {
        int nb = dictionary.length;
        if (nb < 2 || n <= 0) {
            throw new IllegalArgumentException("need at least 2 concepts and n > 0; got " + nb + " and " + n);
        }
        int k = Math.min(n, nb - 1);
        int dim = dictionary[0].length;
        SparkSession spark = SparkSession.active();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<float[]> unit = jsc.broadcast(unitRows(dictionary, dim));
        int block = Math.max(1, Math.min(nb, (1 << 22) / nb));
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s < nb; s += block) {
            starts.add(s);
        }
        int slices = Math.max(1, Math.min(starts.size(), jsc.defaultParallelism() * 2));
        Dataset<Row> out = spark.createDataFrame(
                jsc.parallelize(starts, slices).mapPartitions(it -> blocks(it, unit.value(), nb, dim, block, k)),
                schema());
        return out;
    }

    /** Same, with the dictionary as little-endian float32 bytes, row-major [rows, cols] (for Python). */
    public static Dataset<Row> nearestConceptsFromBytes(byte[] littleEndian, int rows, int cols, int n) {
        if ((long) rows * cols * 4 != littleEndian.length) {
            throw new IllegalArgumentException(
                    littleEndian.length + " bytes do not hold " + rows + " x " + cols + " float32 values");
        }
        java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(littleEndian)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        float[][] d = new float[rows][cols];
        for (float[] row : d) {
            fb.get(row);
        }
        return nearestConcepts(d, n);
    }

    private static StructType schema() {
        return new StructType()
                .add("concept", DataTypes.IntegerType, false)
                .add("rank", DataTypes.IntegerType, false)
                .add("neighbour", DataTypes.IntegerType, false)
                .add("cosine", DataTypes.DoubleType, false);
    }

    static float[] unitRows(float[][] d, int dim) {
        float[] flat = new float[d.length * dim];
        for (int i = 0; i < d.length; i++) {
            if (d[i].length != dim) {
                throw new IllegalArgumentException("dictionary rows differ in length");
            }
            double sq = 0;
            for (float v : d[i]) {
                sq += (double) v * v;
            }
            double inv = sq > 0 ? 1.0 / Math.sqrt(sq) : 0.0;
            for (int j = 0; j < dim; j++) {
                flat[i * dim + j] = (float) (d[i][j] * inv);
            }
        }
        return flat;
    }

    private static Iterator<Row> blocks(Iterator<Integer> starts, float[] unit, int nb, int dim, int block, int k) {
        INDArray all = Nd4j.create(unit, new long[] {nb, dim}, 'c');
        List<Row> out = new ArrayList<>();
        while (starts.hasNext()) {
            int s = starts.next();
            int e = Math.min(nb, s + block);
            INDArray rows = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e))
                    .dup('c');
            INDArray sim = Nd4j.create(DataType.FLOAT, new long[] {e - s, nb}, 'c');
            Nd4j.gemm(rows, all, sim, false, true, 1.0, 0.0);
            float[] flat = sim.data().asFloat();
            for (int r = 0; r < e - s; r++) {
                best(flat, r * nb, nb, s + r, k, out);
            }
        }
        return out.iterator();
    }

    /** Appends the k largest entries of one similarity row (skipping {@code self}), best first, ties by index. */
    private static void best(float[] sim, int off, int nb, int self, int k, List<Row> out) {
        int[] idx = new int[k];
        float[] val = new float[k];
        int size = 0;
        for (int j = 0; j < nb; j++) {
            if (j == self) {
                continue;
            }
            float v = sim[off + j];
            if (size == k && v <= val[k - 1]) {
                continue;
            }
            int p = size < k ? size++ : k - 1;
            while (p > 0 && val[p - 1] < v) {
                val[p] = val[p - 1];
                idx[p] = idx[p - 1];
                p--;
            }
            val[p] = v;
            idx[p] = j;
        }
        for (int r = 0; r < size; r++) {
            out.add(RowFactory.create(self, r + 1, idx[r], (double) val[r]));
        }
    }
}
