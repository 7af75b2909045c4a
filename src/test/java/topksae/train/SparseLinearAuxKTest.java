package topksae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.model.Parameter;
import topksae.model.TopKSAE;

/**
 * The fused step with the paper AuxK and the decoder-gradient projection against the generic path
 * ({@link PaperAuxK}, {@link Trainer#projectDecoderGradient}), step by step on identical models.
 */
class SparseLinearAuxKTest {
    private static TrainConfig config(int kAux, double alpha, boolean project) {
        TrainConfig cfg = new TrainConfig();
        cfg.lr = 1e-2;
        cfg.auxKPenalty = alpha;
        cfg.auxKMode = "paper";
        cfg.kAux = kAux;
        cfg.deadTokens = 1; // dead = did not fire in the previous step
        cfg.decoderGradProjection = project;
        return cfg;
    }

    /** The generic path's step, with the trainer's dead-latent update the fused step does too. */
    private static StepStats genericStep(Trainer t, INDArray x) {
        Trainer.Pass p = t.forwardBackward(x);
        if (t.config().decoderGradProjection) {
            t.projectDecoderGradient();
        }
        t.clipGradients();
        t.applyUpdate();
        StepStats s = StepStats.of(
                p.loss().loss(), p.tokens(), p.output().xHat(), p.output().codes());
        t.deadLatents().update(s.fireCounts, s.tokens);
        return s;
    }

    /** Runs steps on both paths; returns how many steps had dead concepts (an AuxK term). */
    private static int compare(int d, int n, int k, int rows, String norm, boolean mult, TrainConfig cfg, int steps) {
        TopKSAE generic = SparseLinearStepTest.model(new int[] {d}, n, k, norm, mult, 0.25f);
        TopKSAE fused = SparseLinearStepTest.model(new int[] {d}, n, k, norm, mult, 0.25f);
        Trainer tg = new Trainer(generic, cfg);
        Trainer tf = new Trainer(fused, cfg);
        assertTrue(SparseLinearStep.supports(fused, cfg), "the fused step takes the paper AuxK");
        Nd4j.getRandom().setSeed(5 + n);
        int withAux = 0;
        for (int s = 1; s <= steps; s++) {
            boolean anyDead = tg.deadLatents().deadFraction() > 0;
            withAux += anyDead ? 1 : 0;
            INDArray x = Nd4j.randn(DataType.FLOAT, rows, d);
            StepStats a = genericStep(tg, x);
            StepStats b = tf.step(x);
            String at = norm + " step " + s;
            for (Parameter p : fused.parameters()) {
                assertEquals(0.0, p.grad().amaxNumber().doubleValue(), at + ": the fused path ran");
            }
            assertEquals(a.loss, b.loss, 1e-5 * a.loss, at + " loss (mse + alpha aux)");
            assertEquals(a.sse, b.sse, 1e-5 * a.sse, at + " sse");
            assertArrayEquals(a.fireCounts, b.fireCounts, at + " fires");
            SparseLinearStepTest.assertStateClose(generic, fused, 2e-5, at);
            SparseLinearStepTest.assertAdamClose(tg.optimizer(), tf.optimizer(), at);
            assertArrayEquals(tg.deadLatents().sinceFired(), tf.deadLatents().sinceFired(), at + " dead state");
        }
        return withAux;
    }

    @Test
    void paperAuxKMatchesTheGenericPathStepByStep() {
        assertTrue(compare(16, 64, 4, 8, "l2", false, config(8, 0.5, false), 4) >= 3);
    }

    @Test
    void kAuxAboveTheDeadCountMultiplierAndOtherNorms() {
        assertTrue(compare(16, 64, 4, 8, "l2", true, config(512, 0.5, false), 3) >= 2);
        assertTrue(compare(12, 48, 5, 6, "max_l2", false, config(3, 1.0 / 32, false), 3) >= 2);
    }

    @Test
    void decoderGradProjectionMatchesWithAndWithoutAuxK() {
        compare(16, 64, 4, 8, "l2", false, config(8, 0.5, true), 3);
        TrainConfig plain = config(8, 0, true);
        compare(16, 64, 4, 8, "identity", true, plain, 3);
    }

    @Test
    void theAuxKTermChangesTheStep() {
        TopKSAE a = SparseLinearStepTest.model(new int[] {16}, 64, 4, "l2", false, 0f);
        TopKSAE b = SparseLinearStepTest.model(new int[] {16}, 64, 4, "l2", false, 0f);
        Trainer ta = new Trainer(a, config(8, 0.5, false));
        Trainer tb = new Trainer(b, config(8, 0, false));
        Nd4j.getRandom().setSeed(3);
        double maxDiff = 0;
        for (int s = 0; s < 3; s++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 8, 16);
            StepStats sa = ta.step(x);
            StepStats sb = tb.step(x);
            if (s > 0) {
                assertTrue(sa.loss > sb.loss, "the AuxK term adds to the loss");
            }
            maxDiff = a.encoder()
                    .parameters()
                    .get(0)
                    .value()
                    .sub(b.encoder().parameters().get(0).value())
                    .amaxNumber()
                    .doubleValue();
        }
        assertTrue(maxDiff > 1e-5, "dead concepts' encoder rows moved: " + maxDiff);
    }

    @Test
    void projectedDecoderGradientIsOrthogonalToEachRow() {
        TopKSAE s = new TopKSAE(16, 64, 4);
        Trainer t = new Trainer(s, config(8, 0, true));
        t.forwardBackward(Nd4j.randn(DataType.FLOAT, 12, 16));
        Parameter w = s.dictionaryLayer().weights();
        double before = w.grad().norm2Number().doubleValue();
        t.projectDecoderGradient();
        INDArray dots = w.grad().mul(w.value()).sum(1);
        assertEquals(0.0, dots.amaxNumber().doubleValue(), 1e-6 * before);
        assertTrue(w.grad().norm2Number().doubleValue() > 0.1 * before, "only the radial part is removed");
    }
}
