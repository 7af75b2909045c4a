package topksae.job;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A small activation set with known sparse structure: each row is a non-negative combination of
 * {@code active} atoms of a random unit-norm dictionary of {@code atoms} rows, plus a little
 * noise. Generated on the executors, deterministic for a seed, as an {@code array<float>} column.
 */
public final class SyntheticActivations {
    private SyntheticActivations() {}

    /** The generation parameters. */
    public record Spec(int rows, int dim, int atoms, int active, int partitions, long seed)
            implements java.io.Serializable {}

    public static Dataset<Row> generate(SparkSession spark, Spec spec, String column) {
        List<Integer> parts = new ArrayList<>();
        for (int i = 0; i < spec.partitions(); i++) {
            parts.add(i);
        }
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(parts, spec.partitions())
                .mapPartitions(
                        (Iterator<Integer> it) -> partition(spec, it.next()).iterator());
        StructType schema = new StructType().add(column, DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(rows, schema);
    }

    /** The rows of one partition. */
    static List<Row> partition(Spec spec, int index) {
        float[][] dict = dictionary(spec);
        long from = (long) spec.rows() * index / spec.partitions();
        long to = (long) spec.rows() * (index + 1) / spec.partitions();
        Random rnd = new Random(spec.seed() * 1_000_003L + index);
        List<Row> out = new ArrayList<>((int) (to - from));
        for (long r = from; r < to; r++) {
            out.add(RowFactory.create((Object) row(spec, dict, rnd)));
        }
        return out;
    }

    /** The ground-truth dictionary [atoms][dim], unit-norm rows. */
    public static float[][] dictionary(Spec spec) {
        Random rnd = new Random(spec.seed());
        float[][] d = new float[spec.atoms()][spec.dim()];
        for (float[] atom : d) {
            double norm = 0;
            for (int j = 0; j < atom.length; j++) {
                atom[j] = (float) rnd.nextGaussian();
                norm += atom[j] * atom[j];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < atom.length; j++) {
                atom[j] *= inv;
            }
        }
        return d;
    }

    private static float[] row(Spec spec, float[][] dict, Random rnd) {
        float[] x = new float[spec.dim()];
        for (int a = 0; a < spec.active(); a++) {
            float[] atom = dict[rnd.nextInt(spec.atoms())];
            float c = 0.5f + rnd.nextFloat();
            for (int j = 0; j < x.length; j++) {
                x[j] += c * atom[j];
            }
        }
        for (int j = 0; j < x.length; j++) {
            x[j] += 0.01f * (float) rnd.nextGaussian();
        }
        return x;
    }
}
