package topksae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learning rate of each global step under each schedule. */
class LrScheduleTest {
    @Test
    void constantWithoutWarmupIsExactlyThePeakAtEveryStep() {
        LrSchedule s = LrSchedule.constant(5e-4);
        for (long step : new long[] {0, 1, 17, 1_000_000}) {
            assertEquals(5e-4, s.at(step), 0.0);
        }
    }

    @Test
    void warmupRampsLinearlyToThePeak() {
        LrSchedule s = new LrSchedule("constant", 1e-2, 4, 100, 0.2, 0.1);
        assertEquals(2.5e-3, s.at(0), 1e-15);
        assertEquals(5e-3, s.at(1), 1e-15);
        assertEquals(1e-2, s.at(3), 1e-15);
        assertEquals(1e-2, s.at(50), 0.0);
    }

    @Test
    void linearGoesFromThePeakAfterWarmupToTheFinalFraction() {
        LrSchedule s = new LrSchedule("linear", 1.0, 10, 110, 0.2, 0.1);
        assertEquals(1.0, s.at(10), 1e-12);
        assertEquals(0.55, s.at(60), 1e-12, "half way: 1 - 0.9 * 0.5");
        assertEquals(0.1, s.at(110), 1e-12);
        assertEquals(0.1, s.at(500), 1e-12, "past the plan: the final rate");
    }

    @Test
    void cosineHasTheMeanOfPeakAndFinalHalfWay() {
        LrSchedule s = new LrSchedule("cosine", 2.0, 0, 100, 0.2, 0.0);
        assertEquals(2.0, s.at(0), 1e-12);
        assertEquals(1.0, s.at(50), 1e-12);
        assertEquals(2.0 * (0.5 * (1 + Math.cos(Math.PI * 0.25))), s.at(25), 1e-12);
        assertEquals(0.0, s.at(100), 1e-12);
    }

    @Test
    void wsdHoldsThePeakThenDecaysOverTheLastFraction() {
        LrSchedule s = new LrSchedule("wsd", 1.0, 5, 100, 0.2, 0.0);
        assertEquals(0.2, s.at(0), 1e-12, "warm-up");
        assertEquals(1.0, s.at(5), 0.0);
        assertEquals(1.0, s.at(79), 0.0, "stable until step 80");
        assertEquals(1.0, s.at(80), 1e-12);
        assertEquals(0.5, s.at(90), 1e-12);
        assertEquals(0.0, s.at(100), 1e-12);
        for (long t = 81; t <= 100; t++) {
            assertTrue(s.at(t) < s.at(t - 1), "decreasing at " + t);
        }
    }

    @Test
    void unknownKindsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule("step", 1, 0, 10, 0.2, 0.1));
    }
}
