package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Null rows, wrong lengths, NaN/Inf, empty input, bad params, divergence: clear errors or counted skips. */
class BadInputTest {
    static SparkSession spark;
    static SparkTestSupport.Synthetic data;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session();
        data = new SparkTestSupport.Synthetic(8, 8, 2, 400, 0.01, 5);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TopKSAEEstimator estimator() {
        return new TopKSAEEstimator()
                .setNbConcepts(16)
                .setTopK(2)
                .setBatchSize(32)
                .setLocalSteps(2)
                .setNumWorkers(2);
    }

    /** The clean rows with bad ones put at fixed places: a null, a short row, a NaN, an Inf. */
    static Dataset<Row> withBadRows() {
        List<float[]> rows = new ArrayList<>(data.rows);
        rows.set(10, null);
        rows.set(20, new float[] {1, 2, 3});
        float[] nan = rows.get(30).clone();
        nan[2] = Float.NaN;
        rows.set(30, nan);
        float[] inf = rows.get(40).clone();
        inf[0] = Float.POSITIVE_INFINITY;
        rows.set(40, inf);
        return SparkTestSupport.frame(spark, rows, 1);
    }

    static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void badRowsFailWithTheOneLineCauseFirst() {
        InvalidRowException e =
                assertThrows(InvalidRowException.class, () -> estimator().fit(withBadRows()));
        assertTrue(
                e.getMessage().startsWith("invalid row 10 of input partition 0 in column 'features': a null value"),
                e.getMessage());
        assertTrue(e.getMessage().contains("handleInvalid=skip"), e.getMessage());
    }

    @Test
    void eachKindOfBadRowIsNamed() {
        List<float[]> rows = new ArrayList<>(data.rows);
        rows.set(3, new float[] {1, 2, 3});
        Exception e = assertThrows(Exception.class, () -> estimator().fit(SparkTestSupport.frame(spark, rows, 1)));
        assertTrue(rootMessage(e).contains("length 3 instead of 8"), rootMessage(e));
        rows.set(3, data.rows.get(3).clone());
        rows.get(3)[1] = Float.NEGATIVE_INFINITY;
        e = assertThrows(Exception.class, () -> estimator().fit(SparkTestSupport.frame(spark, rows, 1)));
        assertTrue(rootMessage(e).contains("row 3") && rootMessage(e).contains("NaN or infinite"), rootMessage(e));
    }

    @Test
    void skipCountsBadRowsInTheSummary() {
        TopKSAEModel m = estimator().setHandleInvalid("skip").fit(withBadRows());
        TopKSAETrainingSummary s = m.summary();
        assertEquals(1, s.skippedNullRows());
        assertEquals(1, s.skippedWrongLengthRows());
        assertEquals(2, s.skippedNonFiniteRows());
        assertEquals(396, s.validRows());
        assertEquals(396, s.tokensSeen());
        assertEquals(396, m.setHandleInvalid("skip").transform(withBadRows()).count());
        Exception e = assertThrows(
                Exception.class,
                () -> m.setHandleInvalid("error").transform(withBadRows()).collect());
        assertTrue(rootMessage(e).contains("a null value"), rootMessage(e));
    }

    @Test
    void emptyInputAndAllInvalidInputFail() {
        Dataset<Row> empty = SparkTestSupport.frame(spark, List.of(), 1);
        Exception e =
                assertThrows(IllegalArgumentException.class, () -> estimator().fit(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        List<float[]> allBad = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            allBad.add(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0});
        }
        e = assertThrows(
                IllegalArgumentException.class,
                () -> estimator().setHandleInvalid("skip").fit(SparkTestSupport.frame(spark, allBad, 1)));
        assertTrue(
                e.getMessage().contains("no valid rows") && e.getMessage().contains("5 rows skipped"), e.getMessage());
    }

    @Test
    void topKAboveNbConceptsAndMissingColumnFailBeforeAnyJob() {
        Dataset<Row> df = SparkTestSupport.frame(spark, data.rows, 1);
        Exception e = assertThrows(
                IllegalArgumentException.class, () -> estimator().setTopK(17).fit(df));
        assertTrue(e.getMessage().contains("exceeds nbConcepts"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> estimator().setInputCol("acts").fit(df));
        assertTrue(e.getMessage().contains("'acts' does not exist"), e.getMessage());
    }

    @Test
    void aNonFiniteUpdateIsRejectedAndDivergenceFails() {
        List<float[]> huge = new ArrayList<>();
        for (float[] r : data.rows) {
            float[] x = r.clone();
            for (int j = 0; j < x.length; j++) {
                x[j] *= 3e19f;
            }
            huge.add(x);
        }
        Exception e = assertThrows(
                IllegalStateException.class,
                () -> estimator().setClipGrad(0).fit(SparkTestSupport.frame(spark, huge, 1)));
        assertTrue(e.getMessage().contains("not finite in 3 consecutive rounds"), e.getMessage());
    }

    @Test
    void aModelTooLargeForTheDriverFailsBeforeTheDataIsLaidOutNamingTheSetting() {
        TopKSAEEstimator huge = estimator().setNbConcepts(20_000_000).setTopK(2);
        int cached = spark.sparkContext().getPersistentRDDs().size();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> huge.fit(SparkTestSupport.frame(spark, data.rows, 1)));
        assertTrue(
                e.getMessage().contains("spark.driver.memory") && e.getMessage().contains("set it to"), e.getMessage());
        assertEquals(cached, spark.sparkContext().getPersistentRDDs().size(), "no training slices were cached");
    }

    static List<float[]> scaled(float factor) {
        List<float[]> out = new ArrayList<>();
        for (float[] r : data.rows) {
            float[] x = r.clone();
            for (int j = 0; j < x.length; j++) {
                x[j] *= factor;
            }
            out.add(x);
        }
        return out;
    }

    @Test
    void aFitWhoseFewRoundsWereAllRejectedFails() {
        // 400 rows / (2 workers x 8 steps x 16 rows, a global batch of 32) = 2 rounds: fewer than the 3
        // of the divergence check
        Exception e = assertThrows(
                IllegalStateException.class,
                () -> estimator().setLocalSteps(8).setClipGrad(0).fit(SparkTestSupport.frame(spark, scaled(3e19f), 1)));
        assertTrue(e.getMessage().contains("trained on 0 tokens"), e.getMessage());
    }

    @Test
    void nonFiniteParamsAreRefusedUpFront() {
        for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> estimator().setLearningRate(bad));
            assertThrows(IllegalArgumentException.class, () -> estimator().setClipGrad(bad));
            assertThrows(IllegalArgumentException.class, () -> estimator().setAuxKPenalty(bad));
            assertThrows(IllegalArgumentException.class, () -> estimator().setOuterLearningRate(bad));
            assertThrows(IllegalArgumentException.class, () -> estimator().setOuterMomentum(bad));
            assertThrows(IllegalArgumentException.class, () -> estimator().setMaxDroppedFraction(bad));
        }
    }

    @Test
    void droppedWorkersAreCountedAndTooManyFailTheFit() {
        List<float[]> rows = new ArrayList<>(data.rows);
        for (int i = 0; i < rows.size(); i += 50) {
            float[] x = rows.get(i).clone();
            for (int j = 0; j < x.length; j++) {
                x[j] *= 1e30f;
            }
            rows.set(i, x);
        }
        Dataset<Row> df = SparkTestSupport.frame(spark, rows, 1);
        TopKSAEModel m = estimator().setClipGrad(0).setMaxDroppedFraction(1).fit(df);
        TopKSAETrainingSummary s = m.summary();
        assertTrue(s.droppedWorkers() > 0, "some workers went non-finite");
        assertTrue(s.droppedTokens() > 0);
        assertEquals(
                s.validRows() * 1L, s.tokensSeen() + s.droppedTokens(), "every valid row is either learned or dropped");
        long dropped =
                s.rounds().stream().mapToLong(RoundRecord::rejectedWorkers).sum();
        assertTrue(dropped > 0 && dropped <= s.droppedWorkers(), "rounds report their dropped workers");
        Exception e = assertThrows(
                IllegalStateException.class, () -> estimator().setClipGrad(0).fit(df));
        assertTrue(
                e.getMessage().contains("went non-finite and were dropped")
                        || e.getMessage().contains("trained on"),
                e.getMessage());
    }

    @Test
    void theRowLengthIsTheMostCommonOverAllRowsOrTheParam() {
        List<float[]> rows = new ArrayList<>(data.rows);
        for (int i = 0; i < 40; i++) {
            rows.set(i, new float[] {i, 2, 3});
        }
        Dataset<Row> df = SparkTestSupport.frame(spark, rows, 1);
        TopKSAEModel m = estimator().setHandleInvalid("skip").fit(df);
        assertEquals(8, m.inputDim(), "the 360 rows of length 8, not the first 40 of length 3");
        assertEquals(40, m.summary().skippedWrongLengthRows());
        assertEquals(360, m.summary().validRows());
        InvalidRowException e =
                assertThrows(InvalidRowException.class, () -> estimator().fit(df));
        assertTrue(
                e.getMessage().contains("invalid row 0 ") && e.getMessage().contains("length 3 instead of 8"),
                e.getMessage());
        List<float[]> mostlyShort = new ArrayList<>(rows.subList(0, 40));
        mostlyShort.addAll(data.rows.subList(0, 30));
        TopKSAEModel three = estimator()
                .setRowLength(3)
                .setNbConcepts(4)
                .setHandleInvalid("skip")
                .fit(SparkTestSupport.frame(spark, mostlyShort, 1));
        assertEquals(3, three.inputDim());
        assertEquals(30, three.summary().skippedWrongLengthRows());
    }

    @Test
    void skippedRowsAreCountedOncePerRowWhateverTheRecomputations() {
        Dataset<Row> df = withBadRows();
        TrainingData d = TrainingData.prepare(df, InputColumn.of(df.schema(), "features"), 8, 2, 64, 32, 5, true);
        assertEquals(4, d.invalid.total());
        for (int lost = 0; lost < 2; lost++) { // as when an executor dies: its shuffle output and cache are gone
            ((org.apache.spark.MapOutputTrackerMaster)
                            org.apache.spark.SparkEnv.get().mapOutputTracker())
                    .unregisterAllMapAndMergeOutput(shuffleId(d.blocks.rdd()));
            d.blocks.unpersist(true);
            assertEquals(396, d.blocks.map(b -> b.length / 8).reduce(Integer::sum)); // re-runs the layout pass
        }
        assertEquals(1, d.invalid.nullRows());
        assertEquals(1, d.invalid.wrongLengthRows());
        assertEquals(2, d.invalid.nonFiniteRows());
        d.release();
    }

    private static int shuffleId(org.apache.spark.rdd.RDD<?> rdd) {
        for (org.apache.spark.Dependency<?> dep : scala.jdk.javaapi.CollectionConverters.asJava(rdd.dependencies())) {
            if (dep instanceof org.apache.spark.ShuffleDependency<?, ?, ?> s) {
                return s.shuffleId();
            }
            int id = shuffleId(dep.rdd());
            if (id >= 0) {
                return id;
            }
        }
        return -1;
    }

    @Test
    void zeroVarianceInputIsRefused() {
        List<float[]> same = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            same.add(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        Exception e = assertThrows(
                IllegalArgumentException.class, () -> estimator().fit(SparkTestSupport.frame(spark, same, 1)));
        assertTrue(e.getMessage().contains("zero variance"), e.getMessage());
    }
}
