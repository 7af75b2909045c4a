package topksae.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
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

class ConceptAnalysisTest {
    static final int CONCEPTS = 12;
    static final int ROWS = 200;
    static SparkSession spark;
    static Dataset<Row> codes;
    static double[][] dense;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("ConceptAnalysisTest")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        Random rng = new Random(7);
        dense = new double[ROWS][CONCEPTS];
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            List<Integer> idx = new ArrayList<>();
            List<Double> val = new ArrayList<>();
            for (int c = 0; c < CONCEPTS - 2; c++) { // the last two concepts never fire
                if (rng.nextInt(4) == 0) {
                    double v = Math.round(rng.nextDouble() * 1000) / 100.0 + 0.01;
                    idx.add(c);
                    val.add(v);
                    dense[r][c] = v;
                }
            }
            Vector v = Vectors.sparse(
                    CONCEPTS,
                    idx.stream().mapToInt(Integer::intValue).toArray(),
                    val.stream().mapToDouble(Double::doubleValue).toArray());
            rows.add(RowFactory.create("row" + r, v));
        }
        StructType schema = new StructType().add("doc", DataTypes.StringType).add("codes", SQLDataTypes.VectorType());
        codes = spark.createDataFrame(rows, schema).repartition(3).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void conceptStatsMatchADirectComputation() {
        List<Row> stats =
                ConceptAnalysis.conceptStats(codes, "codes").orderBy("concept").collectAsList();
        assertEquals(CONCEPTS, stats.size());
        for (int c = 0; c < CONCEPTS; c++) {
            long fires = 0;
            double sum = 0;
            double max = 0;
            for (double[] row : dense) {
                if (row[c] != 0) {
                    fires++;
                    sum += row[c];
                    max = Math.max(max, row[c]);
                }
            }
            Row s = stats.get(c);
            assertEquals(c, s.getInt(0));
            assertEquals(fires, s.getLong(1), "fires of " + c);
            assertEquals((double) fires / ROWS, s.getDouble(2), 1e-12);
            assertEquals(fires == 0 ? 0 : sum / fires, s.getDouble(3), 1e-9);
            assertEquals(max, s.getDouble(4), 0.0);
        }
        assertEquals(0L, stats.get(CONCEPTS - 1).getLong(1), "never-firing concepts are listed with 0");
    }

    @Test
    void topActivationsAreTheLargestPerConceptWithIds() {
        int n = 3;
        List<Row> top = ConceptAnalysis.topActivations(codes, "codes", "doc", n).collectAsList();
        assertEquals((CONCEPTS - 2) * n, top.size());
        for (Row t : top) {
            int c = t.getInt(0);
            int rank = t.getInt(1);
            int row = Integer.parseInt(t.getString(2).substring(3));
            assertEquals(dense[row][c], t.getDouble(3), 0.0);
            long stronger = 0;
            for (double[] d : dense) {
                stronger += d[c] > t.getDouble(3) ? 1 : 0;
            }
            assertEquals(
                    true, stronger < rank, "rank " + rank + " of concept " + c + " has " + stronger + " stronger rows");
        }
        assertThrows(IllegalArgumentException.class, () -> ConceptAnalysis.topActivations(codes, "codes", "doc", 0));
    }

    @Test
    void explodeGivesOneRowPerActiveCode() {
        long nnz = 0;
        for (double[] d : dense) {
            for (double v : d) {
                nnz += v != 0 ? 1 : 0;
            }
        }
        Dataset<Row> ex = ConceptAnalysis.explodeCodes(codes, "codes", "doc");
        assertEquals(nnz, ex.count());
        assertEquals(List.of("doc", "concept", "activation"), List.of(ex.columns()));
    }

    @Test
    void nearestConceptsByCosine() {
        float[][] dict = {{1, 0, 0}, {0.9f, 0.1f, 0}, {0, 1, 0}, {0, 0, 2}, {0, 0.2f, -1}, {-1, 0, 0}};
        List<Row> nn = NearestConcepts.nearestConcepts(dict, 2)
                .orderBy("concept", "rank")
                .collectAsList();
        assertEquals(12, nn.size());
        assertEquals(RowFactory.create(0, 1, 1, nn.get(0).getDouble(3)), nn.get(0));
        assertEquals(0.9 / Math.sqrt(0.82), nn.get(0).getDouble(3), 1e-6);
        assertEquals(2, nn.get(1).getInt(2), "0 vs 2 and 0 vs 3 tie at cosine 0: lower index first");
        assertEquals(2, nn.get(2 * 4).getInt(2), "concept 4's best is 2 (cosine 0.2/sqrt(1.04) > 0)");
        assertEquals(0, nn.get(2 * 3).getInt(2), "concept 3 sees 4 at cosine -0.98, below the zeros");
        for (Row r : nn) {
            assertEquals(true, r.getInt(0) != r.getInt(2), "a concept is not its own neighbour");
        }
        List<Row> many = NearestConcepts.nearestConcepts(dict, 10).collectAsList();
        assertEquals(6 * 5, many.size(), "n is capped at nbConcepts - 1");
    }
}
