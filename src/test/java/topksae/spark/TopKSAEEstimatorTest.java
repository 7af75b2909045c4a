package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.SAE;
import topksae.train.StepStats;

/** Distributed fits on small synthetic data: recovery, worker scaling, determinism, resume. */
class TopKSAEEstimatorTest {
    static final int DIM = 16;
    static final int ATOMS = 24;
    static SparkSession spark;
    static SparkTestSupport.Synthetic data;
    static Dataset<Row> parquet;

    @BeforeAll
    static void start(@TempDir Path dir) {
        spark = SparkTestSupport.session();
        data = new SparkTestSupport.Synthetic(DIM, ATOMS, 3, 8192, 0.01, 7);
        String path = dir.resolve("acts.parquet").toString();
        SparkTestSupport.frame(spark, data.rows, 4).write().parquet(path);
        parquet = spark.read()
                .parquet(path)
                .orderBy("id")
                .repartition(4, org.apache.spark.sql.functions.col("id"))
                .sortWithinPartitions("id");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TopKSAEEstimator estimator(int workers) {
        return new TopKSAEEstimator()
                .setNbConcepts(48)
                .setTopK(3)
                .setBatchSize(64)
                .setLocalSteps(20)
                .setLearningRate(1e-2)
                .setNumWorkers(workers)
                .setSeed(3)
                .setMaxEpochs(4)
                .setInitialization("tied")
                .setOuterOptimizer("average")
                .setBatchScope("worker");
    }

    /** Centred FVU of a model over all rows, computed on the driver with the core model (minus the input offset). */
    static double fvu(TopKSAEModel m) {
        SAE sae = m.sae();
        INDArray x = Nd4j.create(data.rows.toArray(new float[0][]));
        if (m.preBias() != null) {
            x.subiRowVector(Nd4j.create(m.preBias()));
        }
        SAE.Output out = sae.forward(x);
        return StepStats.of(0, x, out.xHat(), out.codes()).fvu();
    }

    @Test
    void recoversTheTrueDictionaryFromParquet() {
        TopKSAEModel m = estimator(2).fit(parquet);
        double cos = data.meanMaxCosine(m.dictionary());
        assertTrue(cos >= 0.9, "mean max cosine " + cos);
        assertEquals(48, m.dictionary().length);
        assertTrue(fvu(m) < 0.1, "fvu " + fvu(m));
    }

    @Test
    void twoWorkersReachTheFvuOfOneAtTheSameTokens() {
        long tokens = 12L * data.rows.size();
        TopKSAEModel one = estimator(1).setMaxEpochs(12).setMaxTokens(tokens).fit(parquet);
        TopKSAEModel two = estimator(2).setMaxEpochs(12).setMaxTokens(tokens).fit(parquet);
        double f1 = fvu(one);
        double f2 = fvu(two);
        assertTrue(f2 <= 1.05 * f1, "fvu 2 workers " + f2 + " vs 1 worker " + f1);
        assertEquals(one.summary().tokensSeen(), two.summary().tokensSeen(), 64 * 2);
    }

    @Test
    void summaryHasOneRecordPerRoundAndStopsAtMaxTokens() {
        TopKSAEModel m = estimator(2).setMaxEpochs(1).fit(parquet);
        TopKSAETrainingSummary s = m.summary();
        assertEquals(2, s.workers());
        assertEquals(s.roundsPerEpoch(), s.rounds().size());
        assertEquals(data.rows.size(), s.tokensSeen());
        RoundRecord first = s.rounds().get(0);
        assertTrue(s.last().fvu() < first.fvu(), first + " -> " + s.last());
        assertEquals(3.0, s.last().l0(), 0.01);
        assertTrue(s.last().tokensPerSecond() > 0
                && s.last().deadFraction() >= 0
                && s.last().deadFraction() <= 1);
        assertEquals(0, s.skippedRows());
        TopKSAEModel capped = estimator(2).setMaxTokens(3000).fit(parquet);
        assertTrue(
                capped.summary().tokensSeen() >= 3000 && capped.summary().tokensSeen() < 3000 + 2 * 64,
                "seen " + capped.summary().tokensSeen());
    }

    @Test
    void sameSeedAndPartitioningGiveTheSameModel() {
        TopKSAEModel a = estimator(2).setMaxEpochs(1).fit(parquet);
        TopKSAEModel b = estimator(2).setMaxEpochs(1).fit(parquet);
        assertArrayEquals(a.flatState(), b.flatState());
    }

    @Test
    void resumingFromACheckpointContinuesExactly(@TempDir Path dir) {
        String ckpt = dir.resolve("ckpt").toString();
        List<RoundRecord> seen = new ArrayList<>();
        TopKSAEModel full = estimator(2).setMaxEpochs(2).fit(parquet);
        TopKSAEModel half = estimator(2)
                .setMaxEpochs(1)
                .setCheckpointDir(ckpt)
                .setCheckpointInterval(1)
                .addRoundListener((r, st) -> seen.add(r))
                .fit(parquet);
        assertEquals(half.summary().rounds().size(), seen.size());
        TopKSAEModel resumed = estimator(2).setMaxEpochs(2).setResumeFrom(ckpt).fit(parquet);
        assertArrayEquals(full.flatState(), resumed.flatState());
        assertEquals(full.summary().tokensSeen(), resumed.summary().tokensSeen());
    }

    @Test
    void theAutomaticRecipeTrainsAndResumesExactly(@TempDir Path dir) {
        String ckpt = dir.resolve("ckpt").toString();
        TopKSAEModel full = recipe().fit(parquet);
        TopKSAEEstimator interrupted = recipe().setCheckpointDir(ckpt)
                .setCheckpointInterval(1)
                .addRoundListener((r, st) -> {
                    if (r.round() == 9) {
                        throw new IllegalStateException("stopped on purpose");
                    }
                });
        assertThrows(RuntimeException.class, () -> interrupted.fit(parquet));
        TopKSAEModel resumed = recipe().setResumeFrom(ckpt).fit(parquet);
        assertArrayEquals(full.flatState(), resumed.flatState(), "the rates follow the global step after a resume");
        assertArrayEquals(full.preBias(), resumed.preBias());
        assertEquals(
                32,
                full.summary().roundsPerEpoch(),
                "8192 rows / (2 x 64) = 64 steps an epoch, 2 per round: 4e-3 / 2e-3 at 2 workers");
        TopKSAETrainingSummary.RecipeValues used = full.summary().recipe();
        assertEquals(2, used.localSteps());
        assertEquals(Recipe.autoLearningRate(3), used.learningRate(), 1e-15);
        assertEquals(
                2.0, used.outerLearningRate(), 1e-12, "sgd at 2 workers on the worker batch: the sum of the deltas");
        assertEquals(64, used.plannedSteps());
        assertEquals(6, used.warmupSteps(), "10% of 64 steps");
        List<RoundRecord> rounds = full.summary().rounds();
        assertTrue(
                fvu(full) < 0.75 * rounds.get(0).fvu(),
                "fvu " + fvu(full) + " after a first round at " + rounds.get(0));
    }

    /** Automatic rate, local steps and outer rate; cosine decay with warm-up; geometric-median offset. */
    static TopKSAEEstimator recipe() {
        return estimator(2)
                .setMaxEpochs(1)
                .setLearningRate(0)
                .setLocalSteps(0)
                .setOuterOptimizer("sgd")
                .setOuterLearningRate(0)
                .setLrSchedule("cosine")
                .setWarmupFraction(0.1)
                .setDecoderBiasInit("geometric_median");
    }

    @Test
    void onTheGlobalBatchTwoWorkersTrainAsFarPerTokenAsOne() {
        TopKSAEModel one = estimator(1)
                .setBatchSize(128)
                .setLearningRate(3e-3)
                .setLocalSteps(5)
                .setMaxEpochs(2)
                .fit(parquet);
        TopKSAEModel two = estimator(2)
                .setBatchSize(128)
                .setLearningRate(3e-3)
                .setLocalSteps(5)
                .setMaxEpochs(2)
                .setBatchScope("global")
                .setOuterOptimizer("sgd")
                .setOuterLearningRate(0)
                .fit(parquet);
        assertEquals(one.summary().tokensSeen(), two.summary().tokensSeen());
        assertEquals(
                one.summary().roundsPerEpoch(),
                two.summary().roundsPerEpoch(),
                "64 rows per worker step: as many rounds of 5 steps per epoch as one worker on 128");
        assertTrue(fvu(two) < 1.1 * fvu(one), "two workers fvu " + fvu(two) + " vs one worker " + fvu(one));
    }

    @Test
    void sgdOuterStepAtTheWorkerCountMovesTwoWorkersAsFarPerTokenAsOne() {
        TopKSAEModel one = estimator(1).setLearningRate(1e-3).setLocalSteps(5).fit(parquet);
        TopKSAEModel avg = estimator(2).setLearningRate(1e-3).setLocalSteps(5).fit(parquet);
        TopKSAEModel sum = estimator(2)
                .setLearningRate(1e-3)
                .setLocalSteps(5)
                .setOuterOptimizer("sgd")
                .setOuterLearningRate(0)
                .fit(parquet);
        assertTrue(fvu(sum) < 0.9 * fvu(avg), "sum fvu " + fvu(sum) + " vs average " + fvu(avg));
        assertTrue(fvu(sum) < 1.15 * fvu(one), "sum fvu " + fvu(sum) + " vs one worker " + fvu(one));
    }

    @Test
    void nesterovOuterStepHelpsAtALowInnerRateAndLocalOptimizerStateTrains() {
        TopKSAEModel avg = estimator(2).setLearningRate(1e-3).fit(parquet);
        TopKSAEModel nesterov =
                estimator(2).setLearningRate(1e-3).setOuterOptimizer("nesterov").fit(parquet);
        assertTrue(fvu(nesterov) < 0.8 * fvu(avg), "nesterov fvu " + fvu(nesterov) + " vs average " + fvu(avg));
        TopKSAEModel local = estimator(2).setOptimizerState("local").fit(parquet);
        assertTrue(fvu(local) < 0.1, "local-state fvu " + fvu(local));
    }

    @Test
    void paperAuxKTrainsAndTheSummaryNamesItsDeadWindow() {
        TopKSAEModel plain = estimator(2).setMaxEpochs(2).fit(parquet);
        TopKSAETrainingSummary s = plain.summary();
        assertEquals(data.rows.size(), s.deadWindow(), "deadTokens unset: one epoch's tokens");
        assertTrue(s.neverFiredFraction() >= 0
                && s.neverFiredFraction() <= s.rounds().get(0).neverFiredFraction());
        assertEquals(s.last().deadFraction(), s.deadFraction(), 0);
        TopKSAEModel aux = estimator(2)
                .setMaxEpochs(2)
                .setAuxKPenalty(1.0 / 32)
                .setKAux(8)
                .setDeadTokens(128)
                .fit(parquet);
        assertEquals(128, aux.summary().deadWindow());
        assertTrue(aux.summary().last().loss() > 0);
        assertTrue(fvu(aux) < 1.25 * fvu(plain), "paper AuxK fvu " + fvu(aux) + " vs plain " + fvu(plain));
        assertTrue(
                java.util.Arrays.stream(aux.summary().rounds().toArray(new RoundRecord[0]))
                        .anyMatch(r -> r.deadFraction() > 0),
                "some concept was dead, so AuxK acted");
        boolean differs = false;
        float[] a = aux.flatState();
        float[] b = plain.flatState();
        for (int i = 0; i < a.length; i++) {
            differs |= a[i] != b[i];
        }
        assertTrue(differs, "AuxK changed the training");
    }
}
