package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The plan a fit announces and the queue the Python progress bar polls, without Spark. */
class RoundQueueTest {
    @Test
    void planIsRowsTimesEpochsCappedByMaxTokens() {
        TopKSAEEstimator est = new TopKSAEEstimator().setMaxEpochs(3);
        assertEquals(3000, FitPlan.of(est, 1000, 2, 4, 0).tokensPlanned());
        est.setMaxTokens(2500);
        assertEquals(2500, FitPlan.of(est, 1000, 2, 4, 0).tokensPlanned());
        assertEquals(2600, FitPlan.of(est, 1000, 2, 4, 2600).tokensPlanned(), "never below what is done");
    }

    @Test
    void queueReturnsPlanAndRecordsAsNumbers() {
        RoundQueue q = new RoundQueue();
        assertNull(q.plan());
        q.onStart(new FitPlan(1000, 2, 4, 0, 3000));
        double[] plan = q.plan();
        assertArrayEquals(new double[] {1000, 2, 4, 0, 3000}, java.util.Arrays.copyOf(plan, 5));
        q.onRound(new RoundRecord(0, 0, 250, 250, 1.5, 0.8, 4, 0.1, 0.3, 1000, 2.0, 0.1, 2, 0), null);
        q.onRound(new RoundRecord(0, 1, 250, 500, 1.2, 0.6, 4, 0.05, 0.25, 1000, 1.0, 0.1, 2, 0), null);
        assertEquals(2, q.size());
        double[] tail = q.since(1);
        assertEquals(RoundQueue.FIELDS.length, tail.length);
        assertEquals(500, tail[3]);
        assertEquals(0.6, tail[5]);
        assertEquals(0.25, tail[8], "neverFiredFraction");
        assertTrue(tail[RoundQueue.FIELDS.length - 1] >= plan[5], "arrival times grow");
        assertEquals(0, q.since(2).length);
    }
}
