package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import topksae.train.LrSchedule;

/** The recipe's formulas and the driver-side math they feed, without Spark. */
class RecipeTest {
    @Test
    void automaticLearningRateIsTheReferenceUpToTheReferenceTopKThenFallsAsOneOverKDownToAFloor() {
        assertEquals(2e-3, Recipe.autoLearningRate(16), 1e-15);
        assertEquals(Recipe.LR_REF, Recipe.autoLearningRate(8), 1e-15, "never above the reference");
        assertEquals(Recipe.LR_REF, Recipe.autoLearningRate(1), 1e-15);
        assertEquals(1e-3, Recipe.autoLearningRate(32), 1e-15);
        assertEquals(2.5e-4, Recipe.autoLearningRate(128), 1e-15);
        assertEquals(2.5e-4, Recipe.autoLearningRate(1638), 1e-15, "never below the rate at k 128");
    }

    @Test
    void learningRateZeroIsTheDefaultAndAutomaticAndASetValueWins() {
        TopKSAEEstimator e =
                new TopKSAEEstimator().setNbConcepts(2048).setTopK(32).setBatchSize(2048);
        assertEquals(0.0, e.getLearningRate(), 0.0, "the default is automatic");
        assertEquals(1e-3, Recipe.learningRate(e), 1e-15);
        assertEquals(1e-3, e.trainConfig(4, 1000).lr, 1e-15, "whatever the workers");
        e.setTopK(128);
        assertEquals(2.5e-4, Recipe.learningRate(e), 1e-15);
        e.setTopK(4);
        assertEquals(Recipe.LR_REF, e.trainConfig(2, 1000).lr, 1e-15);
        e.setLearningRate(3e-3);
        assertEquals(3e-3, Recipe.learningRate(e), 0.0);
    }

    @Test
    void automaticOuterRateMakesUpWhatAveragingLoses() {
        assertEquals(1.0, Recipe.outerLearningRate("sgd", 0, 1, false), 0.0, "1 worker: the average");
        assertEquals(4.0, Recipe.outerLearningRate("sgd", 0, 4, false), 1e-12, "worker batch: the sum of 4 deltas");
        assertEquals(Recipe.OUTER_NESTEROV_BASE, Recipe.outerLearningRate("nesterov", 0, 2, false), 1e-12);
        assertEquals(0.5, Recipe.outerLearningRate("nesterov", 0.5, 8, true), 0.0, "a set rate wins");
        assertEquals(1.0, Recipe.outerLearningRate("average", 0.7, 8, false), 0.0);
        assertEquals(2.0, Recipe.outerLearningRate("sgd", 0, 4, true), 1e-12, "global batch: sqrt(4)");
        TopKSAEEstimator e = new TopKSAEEstimator()
                .setOuterOptimizer("sgd")
                .setOuterLearningRate(0)
                .setBatchScope("worker");
        assertEquals(2.0, Recipe.outerLearningRate(e, 2), 1e-12);
        e.setBatchScope("global");
        assertEquals(Math.sqrt(2), Recipe.outerLearningRate(e, 2), 1e-12);
    }

    @Test
    void sgdOuterStepScalesTheAveragedDeltaOnTrainablePositionsOnly() {
        OuterOptimizer o = new OuterOptimizer("sgd", 2.0, 0.9, new boolean[] {true, true, false});
        float[] next = o.apply(new float[] {1, 1, 1}, new float[] {2, 0.5f, 5});
        assertArrayEquals(new float[] {3, 0, 5}, next, 1e-6f);
        OuterOptimizer unit = new OuterOptimizer("sgd", 1.0, 0.9, new boolean[] {true});
        assertArrayEquals(new float[] {0.25f}, unit.apply(new float[] {7}, new float[] {0.25f}), 0f);
    }

    @Test
    void automaticLocalStepsKeepTheTravelBetweenMergesFixed() {
        assertEquals(20, Recipe.localSteps(20, 5e-4, 2), "a set value wins");
        assertEquals(2, Recipe.localSteps(0, 2e-3, 2), "k <= 16: 4e-3 / 2e-3");
        assertEquals(4, Recipe.localSteps(0, 1e-3, 4), "k 32");
        assertEquals(8, Recipe.localSteps(0, 5e-4, 2), "k 64");
        assertEquals(Recipe.MAX_LOCAL_STEPS, Recipe.localSteps(0, 1e-5, 2), "capped");
        assertEquals(Recipe.MIN_LOCAL_STEPS, Recipe.localSteps(0, 1e-2, 2), "floored");
        assertEquals(Recipe.MAX_LOCAL_STEPS, Recipe.localSteps(0, 2e-3, 1), "one worker: nothing to merge");
        TopKSAEEstimator e = new TopKSAEEstimator().setNbConcepts(1024).setTopK(32);
        assertEquals(4, Recipe.localSteps(e, 2), "from the automatic rate at k 32");
        assertEquals(8, Recipe.localSteps(e.setLearningRate(5e-4), 2), "from a set rate");
    }

    @Test
    void scheduleCoversThePlannedTokensInGlobalBatches() {
        TopKSAEEstimator e = new TopKSAEEstimator()
                .setBatchSize(100)
                .setMaxEpochs(3)
                .setLrSchedule("cosine")
                .setWarmupFraction(0.1)
                .setWarmupSteps(5);
        assertEquals(300, Recipe.schedule(e, 1e-3, 10_000, 2).totalSteps(), "global batch: 3 x 10k rows / 100");
        assertEquals(50, Recipe.workerBatch(e, 2));
        assertEquals(34, Recipe.workerBatch(e, 3), "rounded up: 3 x 34 rows per step");
        e.setBatchScope("worker");
        LrSchedule s = Recipe.schedule(e, 1e-3, 10_000, 2);
        assertEquals(150, s.totalSteps(), "3 epochs x 10k rows / (2 x 100)");
        assertEquals(15, s.warmupSteps(), "10% of 150 beats 5 steps");
        assertEquals("cosine", s.kind());
        e.setMaxTokens(4_000);
        assertEquals(20, Recipe.schedule(e, 1e-3, 10_000, 2).totalSteps(), "capped by maxTokens");
        assertEquals(5, Recipe.schedule(e, 1e-3, 10_000, 2).warmupSteps(), "10% of 20 < 5 steps");
        assertEquals(7, Recipe.firstStep(1450, 200));
    }

    @Test
    void geometricMedianIgnoresAnOutlierThatMovesTheMean() {
        // five points on a line: the median of the sum of distances is the middle one
        float[] line = {0, 0, 1, 0, 2, 0, 3, 0, 100, 0};
        double[] m = GeometricMedian.of(line, 2, new double[] {21.2, 0});
        assertEquals(2.0, m[0], 1e-3);
        assertEquals(0.0, m[1], 1e-6);
    }

    @Test
    void geometricMedianMinimizesTheSumOfDistances() {
        Random rng = new Random(5);
        int dim = 6;
        int n = 400;
        float[] rows = new float[n * dim];
        double[] mean = new double[dim];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) (rng.nextDouble() < 0.1 ? 20 * rng.nextDouble() : rng.nextGaussian());
            mean[i % dim] += rows[i] / n;
        }
        double[] m = GeometricMedian.of(rows, dim, mean);
        double best = GeometricMedian.sumOfDistances(rows, dim, m);
        assertTrue(best < GeometricMedian.sumOfDistances(rows, dim, mean), "better than the mean");
        for (int t = 0; t < 50; t++) {
            double[] q = m.clone();
            q[rng.nextInt(dim)] += 0.01 * rng.nextGaussian();
            assertTrue(best <= GeometricMedian.sumOfDistances(rows, dim, q) + 1e-9, "a perturbation is not better");
        }
    }
}
