package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.SAE;

/** Transform, persistence and Pipeline round trips. */
class TopKSAEModelTest {
    static SparkSession spark;
    static SparkTestSupport.Synthetic data;
    static Dataset<Row> df;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session();
        data = new SparkTestSupport.Synthetic(12, 16, 2, 1024, 0.01, 11);
        df = SparkTestSupport.frame(spark, data.rows, 2);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TopKSAEEstimator estimator() {
        return new TopKSAEEstimator()
                .setNbConcepts(32)
                .setTopK(4)
                .setBatchSize(64)
                .setLocalSteps(4)
                .setLearningRate(3e-3)
                .setNumWorkers(2)
                .setMaxEpochs(1);
    }

    /** Checks each transformed row against the core model's forward on the driver. */
    static void assertMatchesCore(TopKSAEModel m, List<Row> rows, float[] bias) {
        SAE sae = m.sae();
        float[][] xs = new float[rows.size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = data.rows.get((int) rows.get(i).getLong(0)).clone();
            for (int j = 0; bias != null && j < bias.length; j++) {
                xs[i][j] -= bias[j];
            }
        }
        SAE.Output out = sae.forward(Nd4j.create(xs));
        for (int i = 0; i < xs.length; i++) {
            SparseVector codes = (SparseVector) rows.get(i).getAs("codes");
            assertEquals(32, codes.size());
            assertTrue(codes.numActives() <= 4);
            INDArray expected = out.codes().getRow(i);
            for (int c = 0; c < 32; c++) {
                assertEquals(expected.getFloat(c), (float) codes.apply(c), 1e-5f, "row " + i + " concept " + c);
            }
            Vector rec = rows.get(i).getAs("rec");
            for (int j = 0; j < 12; j++) {
                float b = bias == null ? 0f : bias[j];
                assertEquals(out.xHat().getFloat(i, j) + b, rec.apply(j), 1e-5, "row " + i + " dim " + j);
            }
        }
    }

    @Test
    void transformEqualsTheCoreForward() {
        TopKSAEModel m = estimator()
                .fit(df)
                .setReconstructionCol("rec")
                .setPreCodesCol("pre")
                .setBatchSize(100);
        List<Row> rows = m.transform(df).orderBy("id").collectAsList();
        assertEquals(data.rows.size(), rows.size());
        assertMatchesCore(m, rows, null);
        Vector pre = rows.get(0).getAs("pre");
        assertEquals(32, pre.size());
        assertNull(m.preBias());
        TopKSAEModel codesOnly = m.copy(new org.apache.spark.ml.param.ParamMap())
                .setReconstructionCol("")
                .setPreCodesCol("");
        List<Row> fast = codesOnly.transform(df).orderBy("id").collectAsList();
        for (int i = 0; i < rows.size(); i++) {
            Vector a = rows.get(i).getAs("codes");
            Vector b = fast.get(i).getAs("codes");
            assertEquals(a.numActives(), b.numActives(), "row " + i);
            for (int c = 0; c < 32; c++) {
                assertEquals(a.apply(c), b.apply(c), 1e-5, "row " + i + " concept " + c);
            }
        }
    }

    @Test
    void pipelineSavesAndLoadsAndTransformsIdentically(@TempDir Path dir) throws Exception {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            estimator().setReconstructionCol("rec").setDecoderBiasInit("mean")
        });
        String unfitted = dir.resolve("pipeline").toString();
        pipeline.write().overwrite().save(unfitted);
        Pipeline reloaded = Pipeline.load(unfitted);
        TopKSAEEstimator e = (TopKSAEEstimator) reloaded.getStages()[0];
        assertEquals(32, e.getNbConcepts());
        assertEquals("mean", e.getDecoderBiasInit());

        PipelineModel fitted = reloaded.fit(df);
        String path = dir.resolve("model").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        TopKSAEModel before = (TopKSAEModel) fitted.stages()[0];
        TopKSAEModel after = (TopKSAEModel) loaded.stages()[0];
        assertArrayEquals(before.flatState(), after.flatState());
        assertArrayEquals(before.preBias(), after.preBias());
        assertNotNull(after.preBias());
        assertEquals(before.uid(), after.uid());
        assertEquals("rec", after.getReconstructionCol());
        assertEquals(before.config().toJson(), after.config().toJson());
        assertTrue(!after.hasSummary() && before.hasSummary());
        List<Row> a = fitted.transform(df).orderBy("id").collectAsList();
        List<Row> b = loaded.transform(df).orderBy("id").collectAsList();
        assertEquals(a, b);
        assertMatchesCore(after, b, after.preBias());
        assertTrue(java.nio.file.Files.exists(
                dir.resolve("model/stages").toFile().listFiles()[0].toPath().resolve("data/model.safetensors")));
    }

    @Test
    void acceptsDoubleArraysAndVectors() {
        TopKSAEModel m = estimator().fit(df).setReconstructionCol("rec");
        Dataset<Row> doubles =
                df.withColumn("features", functions.col("features").cast("array<double>"));
        Dataset<Row> vectors =
                df.withColumn("features", org.apache.spark.ml.functions.array_to_vector(functions.col("features")));
        List<Row> expected = m.transform(df).orderBy("id").collectAsList();
        for (Dataset<Row> input : List.of(doubles, vectors)) {
            List<Row> got = m.transform(input).orderBy("id").collectAsList();
            for (int i = 0; i < got.size(); i++) {
                assertEquals(expected.get(i).<Vector>getAs("codes"), got.get(i).<Vector>getAs("codes"));
            }
        }
        TopKSAEModel fromVectors = estimator().fit(vectors);
        assertEquals(32, fromVectors.dictionary().length);
    }

    @Test
    void aMeanOffsetHelpsOnDataFarFromTheOrigin() {
        List<float[]> shifted = new java.util.ArrayList<>();
        for (float[] r : data.rows) {
            float[] x = r.clone();
            for (int j = 0; j < x.length; j++) {
                x[j] += 3f;
            }
            shifted.add(x);
        }
        Dataset<Row> far = SparkTestSupport.frame(spark, shifted, 2);
        TopKSAEModel none = estimator().setMaxEpochs(3).fit(far);
        TopKSAEModel mean =
                estimator().setMaxEpochs(3).setDecoderBiasInit("mean").fit(far);
        double col0 = shifted.stream().mapToDouble(x -> x[0]).average().orElseThrow();
        assertEquals(col0, mean.preBias()[0], 1e-4);
        double fvuNone = none.summary().last().fvu();
        double fvuMean = mean.summary().last().fvu();
        assertTrue(fvuMean < 0.7 * fvuNone, "fvu with mean offset " + fvuMean + " vs none " + fvuNone);
    }

    @Test
    void otherVariantsAndEncodersFitTransformAndReload(@TempDir Path dir) throws Exception {
        for (TopKSAEEstimator e :
                List.of(estimator().setVariant("batchtopk"), estimator().setEncoderModule("mlp_ln_1"))) {
            TopKSAEModel m = e.setMaxEpochs(2).fit(df).setReconstructionCol("rec");
            List<RoundRecord> rounds = m.summary().rounds();
            assertTrue(rounds.get(rounds.size() - 1).fvu() < rounds.get(0).fvu(), e.getVariant() + " " + rounds);
            assertEquals(data.rows.size(), m.transform(df).count());
            assertEquals(e.getVariant(), m.config().variant);
            String path = dir.resolve(e.getVariant() + e.getEncoderModule()).toString();
            m.save(path);
            TopKSAEModel loaded = TopKSAEModel.load(path);
            assertArrayEquals(m.flatState(), loaded.flatState());
            assertEquals(
                    m.transform(df).orderBy("id").collectAsList(),
                    loaded.transform(df).orderBy("id").collectAsList());
        }
    }

    @Test
    void modelFromACoreSaeAndItsSummaryGuard() {
        TopKSAEModel m = estimator().fit(df);
        TopKSAEModel wrapped = new TopKSAEModel(m.sae());
        assertArrayEquals(m.flatState(), wrapped.flatState(), 1e-6f);
        assertThrows(IllegalStateException.class, wrapped::summary);
        assertEquals(12, wrapped.inputDim());
    }
}
