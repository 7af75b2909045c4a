package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.analysis.ConceptAnalysis;

/** The evaluator inside Spark's tuning, and exported files imported back as models that transform. */
class SparkInteropTest {
    static SparkSession spark;
    static Dataset<Row> df;
    static TopKSAEModel withBias;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session();
        df = SparkTestSupport.frame(spark, new SparkTestSupport.Synthetic(12, 16, 3, 600, 0.01, 5).rows, 2)
                .cache();
        withBias = estimator().setTopK(4).setDecoderBiasInit("mean").fit(df);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TopKSAEEstimator estimator() {
        return new TopKSAEEstimator()
                .setNbConcepts(24)
                .setBatchSize(64)
                .setLocalSteps(20)
                .setLearningRate(1e-2)
                .setMaxEpochs(2)
                .setReconstructionCol("reconstruction")
                .setSeed(3);
    }

    private static TrainValidationSplitModel tune(String metric) {
        TopKSAEEstimator est = estimator();
        ParamMap[] grid =
                new ParamGridBuilder().addGrid(est.topK(), new int[] {1, 6}).build();
        return new TrainValidationSplit()
                .setEstimator(est)
                .setEstimatorParamMaps(grid)
                .setEvaluator(new TopKSAEEvaluator().setMetricName(metric))
                .setTrainRatio(0.75)
                .setSeed(1)
                .fit(df);
    }

    @Test
    void trainValidationSplitPicksKByTheMetricsDirection() {
        TrainValidationSplitModel byFvu = tune("fvu");
        double[] fvu = byFvu.validationMetrics();
        assertTrue(fvu[1] < fvu[0], "k=6 explains more variance than k=1: " + fvu[0] + " vs " + fvu[1]);
        assertEquals(6, ((TopKSAEModel) byFvu.bestModel()).sae().config().topK);
        TrainValidationSplitModel byR2 = tune("r2");
        double[] r2 = byR2.validationMetrics();
        assertEquals(1 - fvu[1], r2[1], 1e-9, "same split and seed, r2 = 1 - fvu");
        assertEquals(6, ((TopKSAEModel) byR2.bestModel()).sae().config().topK, "larger r2 is better");
    }

    /** Bit-for-bit equal codes and reconstructions (same batch size: GEMM rounding may depend on it). */
    private static void sameTransform(TopKSAEModel a, TopKSAEModel b) {
        b.setBatchSize(a.getBatchSize());
        List<Row> ra = a.setReconstructionCol("reconstruction")
                .transform(df)
                .orderBy("id")
                .collectAsList();
        List<Row> rb = b.setReconstructionCol("reconstruction")
                .transform(df)
                .orderBy("id")
                .collectAsList();
        for (int i = 0; i < ra.size(); i++) {
            assertEquals((Vector) ra.get(i).getAs("codes"), (Vector) rb.get(i).getAs("codes"), "codes of row " + i);
            assertArrayEquals(
                    ((Vector) ra.get(i).getAs("reconstruction")).toArray(),
                    ((Vector) rb.get(i).getAs("reconstruction")).toArray(),
                    "reconstruction of row " + i);
        }
    }

    @Test
    void exportedFilesImportAsModelsThatTransformIdentically(@TempDir Path tmp) throws Exception {
        assertNotNull(withBias.preBias(), "decoderBiasInit=mean gives an input offset");
        ModelFiles.exportSaeLens(withBias, tmp.resolve("saelens").toString(), Map.of("hook_name", "h"));
        TopKSAEModel fromSaeLens =
                ModelFiles.importSaeLens(tmp.resolve("saelens").toString());
        assertArrayEquals(withBias.preBias(), fromSaeLens.preBias());
        assertEquals(24, fromSaeLens.getNbConcepts(), "imports report their real params");
        assertEquals(4, fromSaeLens.getTopK());
        assertEquals("topk", fromSaeLens.getVariant());
        assertEquals(withBias.getEncoderModule(), fromSaeLens.getEncoderModule());
        assertEquals("identity", fromSaeLens.getNormalization(), "SAELens decoder rows are used as stored");
        sameTransform(withBias, fromSaeLens);
        String hook = ModelFiles.exportSparsify(withBias, tmp.toString(), "layers.2");
        sameTransform(withBias, ModelFiles.importSparsify(hook));

        TopKSAEModel plain = estimator().setTopK(3).fit(df);
        ModelFiles.exportOvercomplete(plain, tmp.resolve("oc.safetensors").toString());
        TopKSAEModel fromOc =
                ModelFiles.importOvercomplete(tmp.resolve("oc.safetensors").toString(), (String) null);
        assertArrayEquals(plain.flatState(), fromOc.flatState(), "raw state bit for bit");
        assertEquals(24, fromOc.getNbConcepts());
        assertEquals(3, fromOc.getTopK());
        sameTransform(plain, fromOc);
    }

    @Test
    void conceptStatsOfARealTransformCountEveryActiveCode() {
        Dataset<Row> coded = withBias.transform(df);
        long nnz = ConceptAnalysis.explodeCodes(coded, "codes", "id").count();
        long fires = ConceptAnalysis.conceptStats(coded, "codes")
                .agg(org.apache.spark.sql.functions.sum("fires"))
                .first()
                .getLong(0);
        assertEquals(nnz, fires);
        assertTrue(nnz <= 600L * 4 && nnz > 600L, "between 1 and k active codes per row: " + nnz);
        Map<String, Double> m = new TopKSAEEvaluator()
                .evaluateAll(withBias.copy(new ParamMap())
                        .setReconstructionCol("reconstruction")
                        .transform(df));
        assertEquals((double) nnz / 600, m.get("l0"), 1e-12);
    }
}
