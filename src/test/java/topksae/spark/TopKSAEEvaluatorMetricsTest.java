package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluator's numbers on a hand-built transformed data set, against a direct computation. */
class TopKSAEEvaluatorMetricsTest {
    static final int ROWS = 40;
    static final int DIM = 5;
    static final int CONCEPTS = 6;
    static SparkSession spark;
    static Dataset<Row> data;
    static double fvu;
    static double mse;
    static double l0;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("TopKSAEEvaluatorMetricsTest")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        Random rng = new Random(3);
        List<Row> rows = new ArrayList<>();
        double[] mean = new double[DIM];
        double[][] xs = new double[ROWS][DIM];
        double sse = 0;
        double nnz = 0;
        for (int r = 0; r < ROWS; r++) {
            List<Float> x = new ArrayList<>();
            double[] xh = new double[DIM];
            for (int j = 0; j < DIM; j++) {
                float v = (float) (rng.nextGaussian() + j);
                x.add(v);
                xs[r][j] = v;
                mean[j] += v / ROWS;
                xh[j] = v + 0.3 * rng.nextGaussian();
                sse += (v - xh[j]) * (v - xh[j]);
            }
            int c1 = r % 4; // concepts 4 and 5 never fire
            int c2 = (r + 1) % 4;
            double[] vals = r % 2 == 0 ? new double[] {1.5, 0.5} : new double[] {0.7, 0.0};
            int[] idx = c1 < c2 ? new int[] {c1, c2} : new int[] {c2, c1};
            nnz += r % 2 == 0 ? 2 : 1; // explicit zeros are not counted
            rows.add(
                    RowFactory.create(x.toArray(new Float[0]), Vectors.dense(xh), Vectors.sparse(CONCEPTS, idx, vals)));
        }
        double tv = 0;
        for (double[] x : xs) {
            for (int j = 0; j < DIM; j++) {
                tv += (x[j] - mean[j]) * (x[j] - mean[j]);
            }
        }
        fvu = sse / tv;
        mse = sse / (ROWS * DIM);
        l0 = nnz / ROWS;
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("reconstruction", SQLDataTypes.VectorType())
                .add("codes", SQLDataTypes.VectorType());
        data = spark.createDataFrame(rows, schema).repartition(3).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void everyMetricMatchesADirectComputation() {
        TopKSAEEvaluator ev = new TopKSAEEvaluator();
        assertEquals("fvu", ev.getMetricName());
        assertEquals(fvu, ev.evaluate(data), 1e-9);
        Map<String, Double> all = ev.evaluateAll(data);
        List<String> keys = new java.util.ArrayList<>(TopKSAEEvaluator.METRICS);
        keys.add("deadWindowTokens");
        assertEquals(keys, List.copyOf(all.keySet()));
        assertEquals(mse, all.get("mse"), 1e-9);
        assertEquals(1 - fvu, all.get("r2"), 1e-9);
        assertEquals(l0, all.get("l0"), 1e-12);
        assertEquals(2.0 / CONCEPTS, all.get("deadFraction"), 1e-12);
        assertEquals(2.0 / CONCEPTS, all.get("neverFiredFraction"), 1e-12);
        assertEquals((double) data.count(), all.get("deadWindowTokens"), 0, "the window: every row evaluated");
        assertEquals(mse, ev.setMetricName("mse").evaluate(data), 1e-9);
    }

    @Test
    void isLargerBetterOnlyForR2() {
        TopKSAEEvaluator ev = new TopKSAEEvaluator();
        for (String m : TopKSAEEvaluator.METRICS) {
            assertEquals(m.equals("r2"), ev.setMetricName(m).isLargerBetter(), m);
        }
        assertThrows(IllegalArgumentException.class, () -> ev.setMetricName("accuracy"));
    }

    @Test
    void missingReconstructionColumnIsExplained() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new TopKSAEEvaluator().evaluate(data.drop("reconstruction")));
        assertTrue(e.getMessage().contains("set reconstructionCol"), e.getMessage());
    }

    @Test
    void savesAndLoadsItsParams(@TempDir Path dir) throws Exception {
        TopKSAEEvaluator ev =
                new TopKSAEEvaluator().setMetricName("l0").setInputCol("x").setReconstructionCol("xh");
        String path = dir.resolve("ev").toString();
        ev.save(path);
        TopKSAEEvaluator back = TopKSAEEvaluator.load(path);
        assertEquals(ev.uid(), back.uid());
        assertEquals("l0", back.getMetricName());
        assertEquals("x", back.getInputCol());
        assertEquals("xh", back.getReconstructionCol());
        assertFalse(back.isLargerBetter());
    }
}
