package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import topksae.model.SAE;
import topksae.model.SAEConfig;
import topksae.train.LrSchedule;
import topksae.train.TrainConfig;

/** A worker sets each local step's rate from the schedule at the round's first global step + the step. */
class LocalWorkerScheduleTest {
    static final int DIM = 8;

    static SAEConfig config() {
        return new TopKSAEEstimator().setNbConcepts(16).setTopK(2).setSeed(3).modelConfig(DIM);
    }

    static List<float[]> blocks(int count, int rows) {
        Random rng = new Random(1);
        List<float[]> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] x = new float[rows * DIM];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            out.add(x);
        }
        return out;
    }

    static float[] round(LrSchedule lr, long firstStep, float[] start) {
        RoundPlan plan = new RoundPlan(
                "schedule-test-" + lr + firstStep,
                config(),
                new TrainConfig(),
                StateBroadcast.direct(start, null, 1 << 24),
                true,
                Integer.MAX_VALUE,
                null,
                0L,
                null,
                lr,
                firstStep,
                1 << 24);
        try {
            return LocalWorker.run(0, blocks(2, 32).iterator(), plan).next()._2().values; // chunk 0: the model
        } finally {
            WorkerCache.release(plan.run());
        }
    }

    static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void theRateOfEachStepComesFromTheScheduleAtItsGlobalStep() {
        SAE sae = SAE.fromConfig(config());
        sae.train();
        sae.getDictionary();
        float[] start = ModelState.of(sae);
        // linear from 1e-2 at step 0 to 0 at step 2 and after
        LrSchedule decaying = new LrSchedule("linear", 1e-2, 0, 2, 0.2, 0.0);
        assertArrayEquals(start, round(decaying, 2, start), 1e-7f, "rate 0 from step 2 on: the weights stay");
        assertTrue(maxDiff(start, round(decaying, 0, start)) > 1e-3, "steps 0 and 1 have a positive rate");
        assertTrue(maxDiff(start, round(decaying, 1, start)) > 1e-3, "step 1 has a positive rate");
        float[] fromStep1 = round(decaying, 1, start);
        float[] fromStep0 = round(decaying, 0, start);
        assertTrue(maxDiff(fromStep0, fromStep1) > 1e-4, "the first step index shifts the rates");
    }
}
