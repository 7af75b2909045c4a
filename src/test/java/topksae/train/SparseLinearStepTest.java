package topksae.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import topksae.kernel.SparseCodes;
import topksae.kernel.TopKEncoder;
import topksae.model.BatchTopKSAE;
import topksae.model.DictionaryParams;
import topksae.model.Parameter;
import topksae.model.SAE;
import topksae.model.TopKSAE;
import topksae.model.TopKSelect;

/** The fused step against the generic exact path of {@link Trainer}, on identical models and batches. */
class SparseLinearStepTest {
    static TopKSAE model(int[] shape, int n, int k, String norm, boolean mult, float m) {
        TopKSAE s = new TopKSAE(shape, n, k, null, new DictionaryParams(norm, mult), "cpu", null, 7L);
        if (mult) {
            s.stateDict().get("dictionary.multiplier").assign(m);
        }
        return s;
    }

    private static StepStats exactStep(Trainer t, INDArray x) {
        Trainer.Pass p = t.forwardBackward(x);
        t.clipGradients();
        t.applyUpdate();
        return StepStats.of(
                p.loss().loss(), p.tokens(), p.output().xHat(), p.output().codes());
    }

    static void assertStateClose(SAE want, SAE got, double tol, String at) {
        for (Map.Entry<String, INDArray> e : want.stateDict().entrySet()) {
            float[] a = e.getValue().castTo(DataType.FLOAT).data().asFloat();
            float[] b = got.stateDict()
                    .get(e.getKey())
                    .castTo(DataType.FLOAT)
                    .data()
                    .asFloat();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], tol, at + " " + e.getKey() + "[" + i + "]");
            }
        }
    }

    static void assertAdamClose(Adam want, Adam got, String at) {
        float[] a = want.flatState();
        float[] b = got.flatState();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-6 + 1e-3 * Math.abs(a[i]), at + " adam state[" + i + "]");
        }
    }

    private static void compare(
            int[] shape, int n, int k, String norm, boolean mult, double clip, int steps, long[] xShape) {
        long[][] shapes = new long[steps][];
        java.util.Arrays.fill(shapes, xShape);
        compare(shape, n, k, norm, mult, clip, shapes);
    }

    /** One step per entry of xShapes (batch sizes may vary between steps). */
    private static void compare(int[] shape, int n, int k, String norm, boolean mult, double clip, long[][] xShapes) {
        int steps = xShapes.length;
        TopKSAE exact = model(shape, n, k, norm, mult, 0.25f);
        TopKSAE fused = model(shape, n, k, norm, mult, 0.25f);
        TrainConfig cfg = new TrainConfig();
        cfg.clipGrad = clip;
        cfg.lr = 1e-2;
        Trainer te = new Trainer(exact, cfg);
        Trainer tf = new Trainer(fused, cfg);
        assertTrue(SparseLinearStep.supports(fused, cfg));
        Nd4j.getRandom().setSeed(11 + n);
        for (int s = 1; s <= steps; s++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, xShapes[s - 1]);
            StepStats a = exactStep(te, x);
            StepStats b = tf.step(x);
            String at = norm + " step " + s;
            for (Parameter p : fused.parameters()) {
                assertEquals(0.0, p.grad().amaxNumber().doubleValue(), at + ": fused path fills no grads");
            }
            assertEquals(a.tokens, b.tokens);
            assertEquals(a.loss, b.loss, 1e-5 * a.loss, at + " loss");
            assertEquals(a.sse, b.sse, 1e-5 * a.sse, at + " sse");
            assertEquals(a.sumSqX, b.sumSqX, 1e-5 * a.sumSqX, at + " sumSqX");
            assertEquals(a.l0Sum, b.l0Sum, at + " l0");
            assertArrayEquals(a.fireCounts, b.fireCounts, at + " fires");
            assertArrayEquals(a.sumX, b.sumX, 1e-3, at + " sumX");
            assertStateClose(exact, fused, 2e-5, at);
            assertAdamClose(te.optimizer(), tf.optimizer(), at);
            assertEquals(te.optimizer().stepCount(), tf.optimizer().stepCount());
        }
    }

    @Test
    void oneAndSeveralStepsMatchTheGenericTrainer() {
        compare(new int[] {16}, 64, 4, "l2", false, 1.0, 3, new long[] {8, 16});
    }

    @Test
    void multiplierAndOtherNormalizationsMatch() {
        compare(new int[] {16}, 64, 4, "identity", true, 1.0, 2, new long[] {8, 16});
        compare(new int[] {12}, 48, 5, "max_l2", false, 1.0, 2, new long[] {10, 12});
        compare(new int[] {12}, 48, 5, "l1", true, 0.0, 2, new long[] {10, 12});
    }

    @Test
    void sequenceInputsAndManyChunksMatch() {
        compare(new int[] {5, 20}, 150, 6, "l2", true, 1.0, 3, new long[] {9, 5, 20});
    }

    @Test
    void batchSizesMayChangeBetweenSteps() {
        compare(new int[] {16}, 64, 4, "l2", false, 1.0, new long[][] {{8, 16}, {5, 16}, {11, 16}, {3, 16}});
    }

    @Test
    void unsupportedModelsUseTheGenericPath() {
        TrainConfig cfg = new TrainConfig();
        assertTrue(SparseLinearStep.supports(new TopKSAE(8, 32, 3), cfg));
        assertFalse(SparseLinearStep.supports(new TopKSAE(new int[] {8}, 32, 3, "mlp_ln_1", null, "cpu"), cfg));
        assertFalse(SparseLinearStep.supports(new BatchTopKSAE(8, 32, 3), cfg));
        TopKSAE picky = new TopKSAE(8, 32, 3).selector((v, k) -> TopKSelect.topK(v, k));
        assertFalse(SparseLinearStep.supports(picky, cfg));
        TrainConfig aux = new TrainConfig();
        aux.auxKPenalty = 0.1;
        assertFalse(SparseLinearStep.supports(new TopKSAE(8, 32, 3), aux));
        TopKSAE lin = new TopKSAE(8, 32, 3);
        Trainer t = new Trainer(lin, aux);
        t.step(Nd4j.randn(DataType.FLOAT, 4, 8));
        assertTrue(lin.parameters().get(0).grad().amaxNumber().doubleValue() > 0, "generic path fills grads");
    }

    @Test
    void encodeSparseMatchesTheModelsCodes() {
        TopKSAE s = new TopKSAE(16, 64, 5);
        s.eval();
        INDArray x = Nd4j.randn(DataType.FLOAT, 21, 16);
        TopKEncoder enc = SparseLinearStep.encoderFor(s);
        assertNotNull(enc);
        enc.encode(Nd4j.randn(DataType.FLOAT, 30, 16));
        SparseCodes c = enc.encode(x);
        float[][] codes = s.encode(x).codes().toFloatMatrix();
        for (int i = 0; i < 21; i++) {
            assertArrayEquals(codes[i], c.denseRow(i), 1e-5f, "row " + i);
            for (int q = 1; q < c.counts[i]; q++) {
                assertTrue(c.idx[i * 5 + q] > c.idx[i * 5 + q - 1], "indices increase");
            }
        }
    }
}
