package topksae.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** One local[2] session per test class, and synthetic activations from a known sparse dictionary. */
final class SparkTestSupport {
    private SparkTestSupport() {}

    static SparkSession session() {
        SparkSession s = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** x = sum of k unit atoms (of nbAtoms in dim) with weights in [0.5, 2] + small noise. */
    static final class Synthetic {
        final float[][] atoms;
        final List<float[]> rows = new ArrayList<>();

        Synthetic(int dim, int nbAtoms, int k, int n, double noise, long seed) {
            Random rng = new Random(seed);
            atoms = new float[nbAtoms][dim];
            for (float[] a : atoms) {
                double norm = 0;
                for (int j = 0; j < dim; j++) {
                    a[j] = (float) rng.nextGaussian();
                    norm += a[j] * a[j];
                }
                for (int j = 0; j < dim; j++) {
                    a[j] /= (float) Math.sqrt(norm);
                }
            }
            for (int i = 0; i < n; i++) {
                float[] x = new float[dim];
                for (int c = 0; c < k; c++) {
                    float[] a = atoms[rng.nextInt(nbAtoms)];
                    double w = 0.5 + 1.5 * rng.nextDouble();
                    for (int j = 0; j < dim; j++) {
                        x[j] += (float) (w * a[j]);
                    }
                }
                for (int j = 0; j < dim; j++) {
                    x[j] += (float) (noise * rng.nextGaussian());
                }
                rows.add(x);
            }
        }

        /** Mean over true atoms of the best cosine with a learned row. */
        double meanMaxCosine(float[][] learned) {
            double total = 0;
            for (float[] a : atoms) {
                double best = -1;
                for (float[] d : learned) {
                    double dot = 0;
                    double nd = 0;
                    for (int j = 0; j < a.length; j++) {
                        dot += a[j] * d[j];
                        nd += d[j] * d[j];
                    }
                    best = Math.max(best, dot / Math.sqrt(nd + 1e-12));
                }
                total += best;
            }
            return total / atoms.length;
        }
    }

    static StructType floatArraySchema(String col) {
        return new StructType().add(col, DataTypes.createArrayType(DataTypes.FloatType, false), true);
    }

    /** A DataFrame with an array<float> column "features" and an id, in the given number of partitions. */
    static Dataset<Row> frame(SparkSession spark, List<float[]> rows, int partitions) {
        List<Row> out = new ArrayList<>();
        long id = 0;
        for (float[] r : rows) {
            out.add(RowFactory.create(id++, r == null ? null : boxed(r)));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.LongType, false)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true);
        return spark.createDataFrame(out, schema)
                .repartition(partitions, org.apache.spark.sql.functions.col("id"))
                .sortWithinPartitions("id");
    }

    static Float[] boxed(float[] r) {
        Float[] b = new Float[r.length];
        for (int i = 0; i < r.length; i++) {
            b[i] = r[i];
        }
        return b;
    }
}
