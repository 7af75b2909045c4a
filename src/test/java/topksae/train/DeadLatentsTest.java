package topksae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** One meaning of "dead": no firing in the last window tokens; "never fired" is kept beside it. */
class DeadLatentsTest {
    @Test
    void deadOverTheWindowAndNeverFiredOverTheRun() {
        DeadLatents d = new DeadLatents(4, 100);
        d.update(new long[] {1, 0, 0, 2}, 60);
        assertEquals(0.0, d.deadFraction(), 1e-12, "nothing is dead before window tokens were seen");
        assertEquals(0.5, d.neverFiredFraction(), 1e-12);
        d.update(new long[] {0, 3, 0, 0}, 60);
        assertEquals(0.25, d.deadFraction(), 1e-12, "concept 2 silent for 120 tokens; 0 and 3 for 60");
        assertEquals(0.25, d.neverFiredFraction(), 1e-12);
        d.update(new long[] {0, 0, 0, 0}, 60);
        assertEquals(0.75, d.deadFraction(), 1e-12, "0, 2, 3 silent for >= 100 tokens");
        assertArrayEquals(new boolean[] {true, false, true, true}, d.mask());
        assertEquals(180, d.tokensSeen());
    }

    @Test
    void checkpointFormRoundTrips() {
        DeadLatents d = new DeadLatents(3, 50);
        d.update(new long[] {1, 0, 0}, 40);
        d.update(new long[] {0, 2, 0}, 30);
        assertArrayEquals(new long[] {40, 70, -1}, d.lastFired());
        DeadLatents r = new DeadLatents(3, 50);
        r.restore(d.tokensSeen(), d.lastFired());
        assertArrayEquals(d.sinceFired(), r.sinceFired());
        assertEquals(d.neverFiredFraction(), r.neverFiredFraction(), 0);
        assertEquals(d.deadFraction(), r.deadFraction(), 0);
        assertThrows(IllegalArgumentException.class, () -> new DeadLatents(3, 0));
    }

    @Test
    void theTrainerKeepsItPerStep() {
        TrainConfig cfg = new TrainConfig();
        cfg.deadTokens = 8;
        Trainer t = new Trainer(new topksae.model.TopKSAE(8, 64, 2), cfg);
        t.step(org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 8));
        assertEquals(4, t.deadLatents().tokensSeen());
        assertEquals(0.0, t.deadLatents().deadFraction(), 0, "4 tokens < window 8");
        assertEquals(true, t.deadLatents().neverFiredFraction() >= 1 - 8.0 / 64, "at most 4 x 2 fired");
        t.step(org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 8));
        assertEquals(true, t.deadLatents().deadFraction() >= 1 - 16.0 / 64);
    }
}
